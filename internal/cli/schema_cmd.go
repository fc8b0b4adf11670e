package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/safefile"
	"github.com/pubsubctl/pubsubctl/internal/schemacheck"
	"github.com/pubsubctl/pubsubctl/model"
)

// SchemaCmd groups the commands about schemas.
type SchemaCmd struct {
	Test SchemaTestCmd `cmd:"" help:"Validate sample messages against a configured schema, offline, as a publish would."`
}

// maxSampleFile bounds a file of sample messages: one message of Pub/Sub's
// largest size, or many lines of smaller ones.
const maxSampleFile = 4 * schemacheck.MaxMessageSize

// SchemaTestCmd validates sample messages against a schema of the
// configuration.
type SchemaTestCmd struct {
	Address  string `arg:"" name:"address" help:"The schema (schema.order, schema.events[\"eu\"]) or a topic whose schema settings name a configured schema (topic.orders: its encoding is then the default)."`
	Message  string `required:"" short:"m" help:"File of sample messages: one JSON message a line (blank lines skipped), or with --whole or --encoding binary the whole file is one message; - reads standard input." placeholder:"FILE"`
	Encoding string `enum:",json,binary" default:"" help:"How the messages are encoded: json or binary (default: the topic's encoding for a topic address, json for a schema)."`
	Whole    bool   `help:"The whole file is one message (a pretty-printed JSON document)."`
	Dir      string `default:"." help:"Configuration: a directory whose *.hcl files are read together, or a single .hcl file (default: the current directory)." placeholder:"DIR" type:"path"`
}

// Help is the long help of schema test.
func (*SchemaTestCmd) Help() string {
	return `Compiles the definition of a configured schema offline (Avro with hamba/avro,
Protocol Buffers with protocompile, as validate does) and checks each sample message
against it the way Pub/Sub checks what is published to a topic with that schema:
JSON encoding is Avro's JSON encoding (a union value wrapped as {"TYPE": value} or
bare; undeclared record fields ignored; a missing field needs a default or a nullable
type) or protobuf JSON (unknown fields refused); binary encoding is Avro's binary
encoding (exactly one value, no bytes left over) or the protobuf wire format
(proto2 required fields checked). Prints OK or the problem for each message, then a
summary. Nothing is sent to Pub/Sub: no credentials or network are needed.

Exit status: 0 every message matches; 1 a message does not match, the schema does not
compile, or any other error (unknown address, unreadable file, invalid configuration).

Examples:
  pubsubctl schema test schema.order --message samples/orders.jsonl
  pubsubctl schema test topic.orders --message order.json --whole --dir infra/
  pubsubctl schema test schema.order --message order.avro --encoding binary
  producer --dry-run | pubsubctl schema test schema.order --message -`
}

// Run loads the configuration, finds the schema, and checks every message.
func (c *SchemaTestCmd) Run(rc *runContext) error {
	addr, err := model.ParseAddress(c.Address)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	if addr.Kind == model.KindSubscription {
		return &exitError{code: ExitUsage, err: fmt.Errorf("%s is a subscription: name a schema (schema.NAME) or a topic with schema settings (topic.NAME)", addr)}
	}
	res, _, err := rc.load(c.Dir)
	if err != nil {
		return err
	}
	schema, encoding, err := findSchema(res.Config, addr)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if c.Encoding != "" {
		encoding = strings.ToUpper(c.Encoding)
	}
	compiled, probs := schemacheck.Compile(schema.Type, schema.Definition)
	if len(probs) > 0 {
		var msgs []string
		for _, p := range probs {
			msgs = append(msgs, p.Error())
		}
		return &exitError{code: ExitError, err: fmt.Errorf("the definition of %s does not compile (pubsubctl validate shows where): %s", schema.Addr, strings.Join(msgs, "; "))}
	}
	data, err := c.read(rc)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	msgs := splitMessages(data, encoding == schemacheck.EncodingBinary || c.Whole)
	if len(msgs) == 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%s holds no message", c.source())}
	}
	bad := 0
	for _, m := range msgs {
		if err := compiled.Validate(m.data, encoding); err != nil {
			bad++
			fmt.Fprintf(rc.stdout, "%s: FAIL: %v\n", m.where, err)
			continue
		}
		fmt.Fprintf(rc.stdout, "%s: OK\n", m.where)
	}
	what := fmt.Sprintf("%s (%s, %s encoding)", schema.Addr, schema.Type, encoding)
	if bad > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%d of %d message(s) do not match %s", bad, len(msgs), what)}
	}
	fmt.Fprintf(rc.stdout, "All %d message(s) match %s.\n", len(msgs), what)
	return nil
}

func (c *SchemaTestCmd) source() string {
	if c.Message == "-" {
		return "standard input"
	}
	return c.Message
}

// read reads the message file (or standard input), bounded.
func (c *SchemaTestCmd) read(rc *runContext) ([]byte, error) {
	if c.Message != "-" {
		b, err := safefile.ReadBounded(c.Message, maxSampleFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read the messages: %w", err)
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(rc.stdin, maxSampleFile+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the messages from standard input: %w", err)
	}
	if len(b) > maxSampleFile {
		return nil, fmt.Errorf("standard input holds more than %s of messages", safefile.FormatBytes(maxSampleFile))
	}
	return b, nil
}

type sample struct {
	where string
	data  []byte
}

// splitMessages returns the whole input as one message, or its non-blank
// lines (a trailing carriage return dropped), each named by its line.
func splitMessages(data []byte, whole bool) []sample {
	if whole {
		return []sample{{where: "message", data: data}}
	}
	var out []sample
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		out = append(out, sample{where: fmt.Sprintf("line %d", i+1), data: line})
	}
	return out
}

// findSchema returns the configured schema an address names, with the
// default encoding: the topic's for a topic, JSON for a schema.
func findSchema(cfg *model.Config, addr model.Address) (*model.Schema, string, error) {
	if addr.Kind == model.KindSchema {
		var found []*model.Schema
		for _, s := range cfg.Schemas {
			if addr.Matches(s.Addr) {
				found = append(found, s)
			}
		}
		switch len(found) {
		case 0:
			return nil, "", fmt.Errorf("the configuration declares no %s%s", addr, knownOf(cfg, model.KindSchema))
		case 1:
			return found[0], schemacheck.EncodingJSON, nil
		}
		return nil, "", fmt.Errorf("%s has %d instances (for_each): name one, e.g. %s", addr, len(found), found[0].Addr)
	}
	var topic *model.Topic
	for _, t := range cfg.Topics {
		if addr.Matches(t.Addr) {
			if topic != nil {
				return nil, "", fmt.Errorf("%s has several instances (for_each): name one, e.g. %s", addr, topic.Addr)
			}
			topic = t
		}
	}
	if topic == nil {
		return nil, "", fmt.Errorf("the configuration declares no %s%s", addr, knownOf(cfg, model.KindTopic))
	}
	if topic.Schema == nil || topic.Schema.Schema == "" {
		return nil, "", fmt.Errorf("%s has no schema settings", topic.Addr)
	}
	for _, s := range cfg.Schemas {
		if model.FullName(cfg.Project, model.KindSchema, s.Name) == topic.Schema.Schema {
			enc := topic.Schema.Encoding
			if enc == "" {
				enc = schemacheck.EncodingJSON
			}
			return s, enc, nil
		}
	}
	return nil, "", errors.New(topic.Addr.String() + " uses schema " + topic.Schema.Schema + ", which this configuration does not declare: pubsubctl can only test a schema whose definition it has")
}

// knownOf lists the addresses of a kind the configuration declares, as a
// hint.
func knownOf(cfg *model.Config, k model.Kind) string {
	var names []string
	for _, r := range cfg.Resources() {
		if r.Address().Kind == k {
			names = append(names, r.Address().String())
		}
	}
	if len(names) == 0 {
		return " (it declares no " + k.Collection() + ")"
	}
	if len(names) > 10 {
		names = append(names[:10], "...")
	}
	return " (it declares " + strings.Join(names, ", ") + ")"
}
