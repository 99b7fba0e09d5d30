// The images' HEALTHCHECK and the compose healthchecks: exits 0 when the process in this container
// answers GET <path> with a 2xx on its own port, 1 otherwise.
//
//   node /usr/local/lib/mapek/healthcheck.mjs /health/live [https|http ...]
//
// The port is MAPEK_HTTP_PORT (the services) or PORT (the demo app). Schemes are tried in order:
// the gateway serves HTTPS when it has an identity and HTTP without one. The probe goes to the
// loopback address of this container, so the certificate (issued for the names clients use) is not
// checked here; clients outside check it.
import http from 'node:http';
import https from 'node:https';

const [path = '/health/live', ...schemes] = process.argv.slice(2);
const port = Number(process.env.MAPEK_HTTP_PORT ?? process.env.PORT ?? 8080);

function probe(scheme) {
  const client = scheme === 'https' ? https : http;
  return new Promise((resolve) => {
    const request = client.get({ host: '127.0.0.1', port, path, timeout: 3000, rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve(response.statusCode >= 200 && response.statusCode < 300 ? 'ok' : `status ${response.statusCode}`);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve(error.message));
  });
}

const results = [];
for (const scheme of schemes.length > 0 ? schemes : ['http']) {
  const result = await probe(scheme);
  if (result === 'ok') process.exit(0);
  results.push(`${scheme}://127.0.0.1:${port}${path}: ${result}`);
}
console.error(results.join('; '));
process.exit(1);
