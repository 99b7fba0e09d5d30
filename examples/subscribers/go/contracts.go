package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// channel is one event subject of the AsyncAPI document with the JSON Schema of each version of
// the event type it carries.
type channel struct {
	name      string
	subject   string // NATS subject to subscribe to, parameters as `*`
	eventType string
	schemas   map[int]*jsonschema.Schema // by envelope version
}

// asyncAPI is the part of docs/contracts/asyncapi.json a subscriber needs.
type asyncAPI struct {
	Channels map[string]struct {
		Address  *string                      `json:"address"`
		Messages map[string]struct{ Ref string `json:"$ref"` } `json:"messages"`
	} `json:"channels"`
	Components struct {
		Messages map[string]struct {
			Payload struct{ Ref string `json:"$ref"` } `json:"payload"`
		} `json:"messages"`
		Schemas map[string]struct{ ID string `json:"$id"` } `json:"schemas"`
	} `json:"components"`
}

var (
	eventSchemaID  = regexp.MustCompile(`^urn:mapek:event:([a-z.]+):v([0-9]+)$`)
	addressParam   = regexp.MustCompile(`\{[A-Za-z]+\}`)
	componentsPath = "#/components/"
)

// loadChannels reads the generated contract documents (docs/contracts): the AsyncAPI document
// says which channel carries which event type and version, events/<type>.v<N>.schema.json is the
// JSON Schema of each. Only channels whose messages are events are returned (not actuation,
// dead letters or knowledge queries); `only`, when not empty, keeps those event types.
func loadChannels(contractsDir, prefix string, only map[string]bool) ([]channel, error) {
	var document asyncAPI
	if err := readJSONFile(filepath.Join(contractsDir, "asyncapi.json"), &document); err != nil {
		return nil, err
	}
	compiler := jsonschema.NewCompiler()
	compiler.AssertFormat() // date-time is checked, as zod checks it
	channels := []channel{}
	for name, entry := range document.Channels {
		if entry.Address == nil {
			continue // reply channels have no address of their own
		}
		found := channel{name: name, schemas: map[int]*jsonschema.Schema{}}
		for _, message := range entry.Messages {
			component := document.Components.Messages[strings.TrimPrefix(message.Ref, componentsPath+"messages/")]
			schema := document.Components.Schemas[strings.TrimPrefix(component.Payload.Ref, componentsPath+"schemas/")]
			match := eventSchemaID.FindStringSubmatch(schema.ID)
			if match == nil {
				continue
			}
			version, _ := strconv.Atoi(match[2])
			if found.eventType != "" && found.eventType != match[1] {
				return nil, fmt.Errorf("channel %s carries two event types, %s and %s", name, found.eventType, match[1])
			}
			found.eventType = match[1]
			compiled, err := compileEventSchema(compiler, contractsDir, match[1], version, schema.ID)
			if err != nil {
				return nil, err
			}
			found.schemas[version] = compiled
		}
		if found.eventType == "" || (len(only) > 0 && !only[found.eventType]) {
			continue
		}
		found.subject = addressParam.ReplaceAllStringFunc(*entry.Address, func(param string) string {
			if param == "{prefix}" {
				return prefix
			}
			return "*"
		})
		channels = append(channels, found)
	}
	if len(channels) == 0 {
		return nil, errors.New("no event channels in asyncapi.json (or none of the requested types)")
	}
	sort.Slice(channels, func(i, j int) bool { return channels[i].subject < channels[j].subject })
	return channels, nil
}

func compileEventSchema(compiler *jsonschema.Compiler, contractsDir, eventType string, version int, id string) (*jsonschema.Schema, error) {
	file := filepath.Join(contractsDir, "events", fmt.Sprintf("%s.v%d.schema.json", eventType, version))
	reader, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	document, err := jsonschema.UnmarshalJSON(reader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if got, _ := document.(map[string]any)["$id"].(string); got != id {
		return nil, fmt.Errorf("%s: $id is %q, the AsyncAPI document says %q", file, got, id)
	}
	if err := compiler.AddResource(id, document); err != nil {
		return nil, err
	}
	return compiler.Compile(id)
}

// validate checks an event against the schema of its channel and version; it returns the
// problems, none when the event is valid.
func (c *channel) validate(envelope *jsonValue) []string {
	if envelope.kind != kindObject {
		return []string{"the body is not a JSON object"}
	}
	version := envelope.member("version")
	number, err := strconv.ParseFloat(valueOr(version, ""), 64)
	schema, known := c.schemas[int(number)]
	if version == nil || version.kind != kindNumber || err != nil || !known || number != float64(int(number)) {
		return []string{fmt.Sprintf("%s carries %s versions %v, not %s", c.subject, c.eventType, c.versions(), valueOr(version, "none"))}
	}
	if err := schema.Validate(toAny(envelope)); err != nil {
		var invalid *jsonschema.ValidationError
		if errors.As(err, &invalid) {
			return leafErrors(invalid)
		}
		return []string{err.Error()}
	}
	return nil
}

func (c *channel) versions() []int {
	versions := []int{}
	for version := range c.schemas {
		versions = append(versions, version)
	}
	sort.Ints(versions)
	return versions
}

func valueOr(value *jsonValue, fallback string) string {
	if value == nil || value.kind != kindNumber {
		return fallback
	}
	return value.number
}

// leafErrors lists the innermost causes, one line each: `at '/data/value': got string, want number`.
func leafErrors(invalid *jsonschema.ValidationError) []string {
	problems := []string{}
	for _, line := range strings.Split(invalid.Error(), "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "- ") {
			problems = append(problems, strings.TrimPrefix(line, "- "))
		}
	}
	if len(problems) == 0 {
		problems = append(problems, invalid.Error())
	}
	return problems
}
