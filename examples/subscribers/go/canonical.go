package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// libs/pqc signs canonicalJson(JSON.parse(body)): JavaScript strings are UTF-16, so a string may
// hold an unpaired surrogate (written back as "\ud800"), and object keys sort by UTF-16 code units.
// encoding/json would turn such a surrogate into U+FFFD and cannot tell 1.0 from 1, so this file
// parses JSON itself into values that keep strings as UTF-16 and numbers as written.

type jsonKind int

const (
	kindNull jsonKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

type jsonValue struct {
	kind    jsonKind
	boolean bool
	number  string   // the literal as written; read as a float64 like JSON.parse does
	text    []uint16 // UTF-16 code units, as a JavaScript string
	items   []*jsonValue
	members []jsonMember // unique keys, a duplicate's later value replacing the earlier (JSON.parse)
}

type jsonMember struct {
	key   []uint16
	value *jsonValue
}

const maxDepth = 512

var utf8Bom = []byte{0xef, 0xbb, 0xbf}

// parseJSON reads a message body as the TypeScript consumers do (TextDecoder, then JSON.parse):
// a leading BOM is dropped, and the grammar is RFC 8259's. Bodies that are not valid UTF-8 are
// refused: mapek's publishers always send valid UTF-8.
func parseJSON(data []byte) (*jsonValue, error) {
	data = bytes.TrimPrefix(data, utf8Bom)
	if !utf8.Valid(data) {
		return nil, errors.New("body is not valid UTF-8")
	}
	p := &jsonParser{data: data}
	p.skipSpace()
	value, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.fail("unexpected data after the JSON value")
	}
	return value, nil
}

type jsonParser struct {
	data []byte
	pos  int
}

func (p *jsonParser) fail(message string) error {
	return fmt.Errorf("JSON: %s at byte %d", message, p.pos)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) literal(word string) bool {
	if bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *jsonParser) value(depth int) (*jsonValue, error) {
	if depth > maxDepth {
		return nil, p.fail("nested too deeply")
	}
	if p.pos >= len(p.data) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		text, err := p.stringUnits()
		if err != nil {
			return nil, err
		}
		return &jsonValue{kind: kindString, text: text}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.numberLiteral()
	case p.literal("true"):
		return &jsonValue{kind: kindBool, boolean: true}, nil
	case p.literal("false"):
		return &jsonValue{kind: kindBool}, nil
	case p.literal("null"):
		return &jsonValue{kind: kindNull}, nil
	}
	return nil, p.fail("unexpected character")
}

func (p *jsonParser) object(depth int) (*jsonValue, error) {
	p.pos++ // {
	object := &jsonValue{kind: kindObject}
	index := map[string]int{}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return object, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.fail("expected a member name")
		}
		key, err := p.stringUnits()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.pos++
		p.skipSpace()
		member, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		id := unitsKey(key) // exact, lone surrogates included
		if at, seen := index[id]; seen {
			object.members[at].value = member
		} else {
			index[id] = len(object.members)
			object.members = append(object.members, jsonMember{key: key, value: member})
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end in an object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return object, nil
		default:
			return nil, p.fail("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array(depth int) (*jsonValue, error) {
	p.pos++ // [
	array := &jsonValue{kind: kindArray, items: []*jsonValue{}}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return array, nil
	}
	for {
		p.skipSpace()
		item, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		array.items = append(array.items, item)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end in an array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return array, nil
		default:
			return nil, p.fail("expected ',' or ']'")
		}
	}
}

func (p *jsonParser) stringUnits() ([]uint16, error) {
	p.pos++ // opening quote
	units := []uint16{}
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return units, nil
		case c == '\\':
			if p.pos+1 >= len(p.data) {
				return nil, p.fail("unterminated escape")
			}
			escape := p.data[p.pos+1]
			p.pos += 2
			switch escape {
			case '"', '\\', '/':
				units = append(units, uint16(escape))
			case 'b':
				units = append(units, '\b')
			case 'f':
				units = append(units, '\f')
			case 'n':
				units = append(units, '\n')
			case 'r':
				units = append(units, '\r')
			case 't':
				units = append(units, '\t')
			case 'u':
				if p.pos+4 > len(p.data) {
					return nil, p.fail("short \\u escape")
				}
				var unit uint16
				for _, digit := range p.data[p.pos : p.pos+4] {
					nibble, ok := hexDigit(digit)
					if !ok {
						return nil, p.fail("bad \\u escape")
					}
					unit = unit<<4 | nibble
				}
				units = append(units, unit)
				p.pos += 4
			default:
				return nil, p.fail("bad escape")
			}
		case c < 0x20:
			return nil, p.fail("control character in a string")
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			units = utf16.AppendRune(units, r)
			p.pos += size
		}
	}
	return nil, p.fail("unterminated string")
}

func (p *jsonParser) numberLiteral() (*jsonValue, error) {
	start := p.pos
	digits := func() int {
		from := p.pos
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
		}
		return p.pos - from
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return nil, p.fail("bad number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.fail("bad fraction")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.fail("bad exponent")
		}
	}
	return &jsonValue{kind: kindNumber, number: string(p.data[start:p.pos])}, nil
}

func hexDigit(c byte) (uint16, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint16(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint16(c - 'a' + 10), true
	case c >= 'A' && c <= 'F':
		return uint16(c - 'A' + 10), true
	}
	return 0, false
}

// unitsKey is a map key for UTF-16 text, two bytes per code unit.
func unitsKey(units []uint16) string {
	key := make([]byte, 0, 2*len(units))
	for _, unit := range units {
		key = append(key, byte(unit>>8), byte(unit))
	}
	return string(key)
}

// canonicalJSON writes a value as libs/pqc's canonicalJson does: members sorted by UTF-16 code
// units, no whitespace, strings and numbers as JSON.stringify writes them.
func canonicalJSON(value *jsonValue) (string, error) {
	var out strings.Builder
	if err := writeCanonical(&out, value); err != nil {
		return "", err
	}
	return out.String(), nil
}

func writeCanonical(out *strings.Builder, value *jsonValue) error {
	switch value.kind {
	case kindNull:
		out.WriteString("null")
	case kindBool:
		out.WriteString(strconv.FormatBool(value.boolean))
	case kindNumber:
		number, err := strconv.ParseFloat(value.number, 64)
		if err != nil || math.IsInf(number, 0) {
			// JSON.parse reads it as ±Infinity, which canonicalJson refuses.
			return fmt.Errorf("number %s has no finite double", value.number)
		}
		out.WriteString(ecmaNumber(number))
	case kindString:
		writeString(out, value.text)
	case kindArray:
		out.WriteByte('[')
		for i, item := range value.items {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := writeCanonical(out, item); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	case kindObject:
		members := slices.Clone(value.members)
		slices.SortFunc(members, func(a, b jsonMember) int { return slices.Compare(a.key, b.key) })
		out.WriteByte('{')
		for i, member := range members {
			if i > 0 {
				out.WriteByte(',')
			}
			writeString(out, member.key)
			out.WriteByte(':')
			if err := writeCanonical(out, member.value); err != nil {
				return err
			}
		}
		out.WriteByte('}')
	}
	return nil
}

// writeString quotes UTF-16 text as JSON.stringify does (ES2019 well-formed): short escapes for
// quote, backslash, \b \f \n \r \t; \u00xx for other controls; \udxxx for unpaired surrogates;
// everything else as UTF-8, U+2028 and U+2029 included.
func writeString(out *strings.Builder, units []uint16) {
	out.WriteByte('"')
	for i := 0; i < len(units); i++ {
		unit := units[i]
		switch {
		case unit == '"':
			out.WriteString(`\"`)
		case unit == '\\':
			out.WriteString(`\\`)
		case unit == '\b':
			out.WriteString(`\b`)
		case unit == '\f':
			out.WriteString(`\f`)
		case unit == '\n':
			out.WriteString(`\n`)
		case unit == '\r':
			out.WriteString(`\r`)
		case unit == '\t':
			out.WriteString(`\t`)
		case unit < 0x20:
			fmt.Fprintf(out, `\u%04x`, unit)
		case utf16.IsSurrogate(rune(unit)):
			if unit < 0xdc00 && i+1 < len(units) && units[i+1] >= 0xdc00 && units[i+1] <= 0xdfff {
				out.WriteRune(utf16.DecodeRune(rune(unit), rune(units[i+1])))
				i++
			} else {
				fmt.Fprintf(out, `\u%04x`, unit)
			}
		default:
			out.WriteRune(rune(unit))
		}
	}
	out.WriteByte('"')
}

// ecmaNumber is ECMAScript's Number::toString(x) for a finite double: the shortest digits that
// read back as x, in plain notation for exponents up to 21 and down to -6, else d.ddde±n.
func ecmaNumber(x float64) string {
	if x == 0 {
		return "0" // -0 too
	}
	if x < 0 {
		return "-" + ecmaNumber(-x)
	}
	mantissa, exponent, _ := strings.Cut(strconv.FormatFloat(x, 'e', -1, 64), "e")
	digits := strings.TrimRight(strings.Replace(mantissa, ".", "", 1), "0")
	e, _ := strconv.Atoi(exponent)
	k, n := len(digits), e+1 // x = 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		return digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return "0." + strings.Repeat("0", -n) + digits
	}
	sign := "+"
	if n-1 < 0 {
		sign = "-"
	}
	exp := strconv.Itoa(abs(n - 1))
	if k == 1 {
		return digits + "e" + sign + exp
	}
	return digits[:1] + "." + digits[1:] + "e" + sign + exp
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// toAny turns a parsed value into what the JSON Schema validator takes: maps, slices, strings and
// json.Number (the validator compares numbers exactly).
func toAny(value *jsonValue) any {
	switch value.kind {
	case kindBool:
		return value.boolean
	case kindNumber:
		return json.Number(value.number)
	case kindString:
		return string(utf16.Decode(value.text))
	case kindArray:
		items := make([]any, len(value.items))
		for i, item := range value.items {
			items[i] = toAny(item)
		}
		return items
	case kindObject:
		members := make(map[string]any, len(value.members))
		for _, member := range value.members {
			members[string(utf16.Decode(member.key))] = toAny(member.value)
		}
		return members
	default:
		return nil
	}
}

// member returns an object's member by name, or nil.
func (value *jsonValue) member(name string) *jsonValue {
	if value == nil || value.kind != kindObject {
		return nil
	}
	key := utf16.Encode([]rune(name))
	for _, member := range value.members {
		if slices.Equal(member.key, key) {
			return member.value
		}
	}
	return nil
}

// stringValue returns the value as a Go string when it is a JSON string.
func (value *jsonValue) stringValue() (string, bool) {
	if value == nil || value.kind != kindString {
		return "", false
	}
	return string(utf16.Decode(value.text)), true
}
