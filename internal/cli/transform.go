package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/safefile"
	"github.com/pubsubctl/pubsubctl/internal/transform"
	"github.com/pubsubctl/pubsubctl/model"
)

// TransformCmd groups the commands about message transforms.
type TransformCmd struct {
	Test TransformTestCmd `cmd:"" help:"Run a topic's or subscription's message transforms on sample messages, offline."`
}

// maxTransformSamples bounds the file of sample messages.
const maxTransformSamples = 4 * transform.MaxMessageBytes

// TransformTestCmd runs the JavaScript UDF chain of a resource.
type TransformTestCmd struct {
	Address string `arg:"" name:"address" help:"A topic (its transforms, as on publish) or a subscription (its topic's transforms, when the topic is configured, then its own, as on delivery): topic.orders, subscription.audit[\"eu\"]."`
	Message string `required:"" short:"m" help:"File of sample messages: one JSON object a line, {\"data\": \"...\", \"attributes\": {...}, \"ordering_key\": \"...\"} (blank lines skipped); with --raw the whole file is the data of one message; - reads standard input." placeholder:"FILE"`
	Raw     bool   `help:"The whole file is the data of one message, without attributes."`
	Dir     string `default:"." help:"Configuration: a directory whose *.hcl files are read together, or a single .hcl file (default: the current directory)." placeholder:"DIR" type:"path"`
}

// Help is the long help of transform test.
func (*TransformTestCmd) Help() string {
	return `Runs the message transforms of a configured topic or subscription on sample
messages, locally, with the semantics Pub/Sub documents for JavaScript UDFs: each
enabled UDF gets (message, metadata) with message = {data (a string), attributes}
and metadata = {message_id, publish_time, ordering_key}, and returns the new message
or null to filter it out; a thrown error is a transformation failure. A topic's
transforms run as on publish; a subscription's run after its topic's (when the topic
is in the configuration), as on delivery. Disabled transforms are skipped; zlib
compression transforms compress or decompress the data; AI inference transforms
pass messages through unchanged (they need the service). Each call is stopped after 500ms (a runaway loop) or when it
allocates too much. Nothing is sent to Pub/Sub.

Prints, for each message, what each transform did and the resulting message as JSON
(or FILTERED or FAILED). Exit status: 0 every message went through (filtered ones
included); 1 a transform failed, or any other error.

Examples:
  pubsubctl transform test topic.orders --message samples/orders.jsonl
  pubsubctl transform test subscription.audit --message order.json --raw --dir infra/
  echo '{"data":"{\"card\":\"4111\"}","attributes":{"type":"placed"}}' | pubsubctl transform test topic.orders -m -`
}

// sampleMessage is one line of the sample file.
type sampleMessage struct {
	Data        *string           `json:"data"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	OrderingKey string            `json:"ordering_key,omitempty"`
}

// Run loads the configuration, builds the chain and runs it on each
// message.
func (c *TransformTestCmd) Run(rc *runContext) error {
	addr, err := model.ParseAddress(c.Address)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	if addr.Kind == model.KindSchema {
		return &exitError{code: ExitUsage, err: fmt.Errorf("%s is a schema: name a topic or a subscription", addr)}
	}
	res, _, err := rc.load(c.Dir)
	if err != nil {
		return err
	}
	steps, err := transformChain(res.Config, addr)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	data, err := readSamples(rc, c.Message, maxTransformSamples)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	msgs, err := parseSamples(data, c.Raw, c.Message)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if len(steps) == 0 {
		fmt.Fprintf(rc.stdout, "%s has no transform that runs locally (JavaScript UDF or compression): messages pass unchanged.\n", addr)
	}
	failed, filtered := 0, 0
	now := time.Now().UTC().Truncate(time.Second)
	for i, m := range msgs {
		m.msg.MessageID = fmt.Sprint(i + 1)
		m.msg.PublishTime = now
		out, results, err := transform.RunChain(steps, m.msg, transform.DefaultLimits)
		fmt.Fprintf(rc.stdout, "%s:\n", m.where)
		for _, r := range results {
			switch {
			case r.Skipped:
				fmt.Fprintf(rc.stdout, "  %s: disabled, skipped\n", r.Name)
			case r.Err != nil:
				fmt.Fprintf(rc.stdout, "  %s: FAILED: %v\n", r.Name, r.Err)
			case r.Filtered:
				fmt.Fprintf(rc.stdout, "  %s: returned null\n", r.Name)
			default:
				fmt.Fprintf(rc.stdout, "  %s: ok\n", r.Name)
			}
		}
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(rc.stdout, "  => FAILED (%s)\n", failureMeaning(addr))
		case out == nil:
			filtered++
			fmt.Fprintln(rc.stdout, "  => FILTERED: not delivered")
		default:
			fmt.Fprintf(rc.stdout, "  => %s\n", renderMessage(out))
		}
	}
	summary := fmt.Sprintf("%d message(s) through %d transform(s) of %s: %d delivered, %d filtered, %d failed",
		len(msgs), len(steps), addr, len(msgs)-filtered-failed, filtered, failed)
	if failed > 0 {
		return &exitError{code: ExitError, err: errors.New(summary)}
	}
	fmt.Fprintln(rc.stdout, summary+".")
	return nil
}

// failureMeaning says what a transformation failure does at addr.
func failureMeaning(addr model.Address) string {
	if addr.Kind == model.KindTopic {
		return "the publish would fail"
	}
	return "the message would go to the dead-letter topic"
}

// transformChain finds the resource and compiles its chain: a topic's
// transforms, or a subscription's topic's (when configured) and its own.
func transformChain(c *model.Config, addr model.Address) ([]transform.Step, error) {
	var chains []struct {
		owner model.Address
		ts    []model.MessageTransform
	}
	add := func(owner model.Address, ts []model.MessageTransform) {
		chains = append(chains, struct {
			owner model.Address
			ts    []model.MessageTransform
		}{owner, ts})
	}
	found := false
	switch addr.Kind {
	case model.KindTopic:
		for _, t := range c.Topics {
			if t.Addr == addr {
				add(t.Addr, t.Transforms)
				found = true
			}
		}
	case model.KindSubscription:
		for _, s := range c.Subscriptions {
			if s.Addr != addr {
				continue
			}
			found = true
			for _, t := range c.Topics {
				if model.FullName(c.Project, model.KindTopic, t.Name) == s.Topic {
					add(t.Addr, t.Transforms)
				}
			}
			add(s.Addr, s.Transforms)
		}
	}
	if !found {
		return nil, fmt.Errorf("%s is not in the configuration", addr)
	}
	var steps []transform.Step
	for _, ch := range chains {
		for i, t := range ch.ts {
			if c := t.Compression; c != nil && c.Algorithm == "ZLIB" {
				steps = append(steps, transform.Step{Name: fmt.Sprintf("%s message_transform %d (compression %s)", ch.owner, i+1, strings.ToLower(c.Mode)),
					Native: transform.Zlib(c.Mode == "COMPRESS"), Disabled: t.Disabled})
				continue
			}
			u := t.JavaScriptUDF
			if u == nil {
				continue
			}
			name := fmt.Sprintf("%s message_transform %d (%s)", ch.owner, i+1, u.FunctionName)
			p, err := transform.Compile(transform.UDF{FunctionName: u.FunctionName, Code: u.Code})
			if err != nil {
				return nil, fmt.Errorf("%s does not compile: %v", name, err)
			}
			steps = append(steps, transform.Step{Name: name, Program: p, Disabled: t.Disabled})
		}
	}
	return steps, nil
}

// readSamples reads a file or standard input, bounded.
func readSamples(rc *runContext, path string, limit int64) ([]byte, error) {
	if path != "-" {
		b, err := safefile.ReadBounded(path, limit)
		if err != nil {
			return nil, fmt.Errorf("cannot read the messages: %w", err)
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(rc.stdin, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the messages from standard input: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("standard input holds more than %s of messages", safefile.FormatBytes(limit))
	}
	return b, nil
}

type parsedSample struct {
	where string
	msg   transform.Message
}

// parseSamples splits the input into messages: the whole of it (raw), or
// one JSON object a non-blank line.
func parseSamples(data []byte, raw bool, path string) ([]parsedSample, error) {
	src := path
	if src == "-" {
		src = "stdin"
	}
	if raw {
		return []parsedSample{{where: src, msg: transform.Message{Data: data}}}, nil
	}
	var out []parsedSample
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		where := fmt.Sprintf("%s:%d", src, i+1)
		var s sampleMessage
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("%s: not a sample message {\"data\": \"...\", \"attributes\": {...}}: %v (use --raw for a file that is one message's data)", where, err)
		}
		if s.Data == nil {
			return nil, fmt.Errorf("%s: the sample message has no \"data\"", where)
		}
		out = append(out, parsedSample{where: where, msg: transform.Message{Data: []byte(*s.Data), Attributes: s.Attributes, OrderingKey: s.OrderingKey}})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no message", src)
	}
	return out, nil
}

// renderMessage renders a message as one line of JSON with sorted
// attributes.
func renderMessage(m *transform.Message) string {
	var b strings.Builder
	d, _ := json.Marshal(string(m.Data))
	b.WriteString(`{"data": `)
	b.Write(d)
	if len(m.Attributes) > 0 {
		keys := make([]string, 0, len(m.Attributes))
		for k := range m.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(`, "attributes": {`)
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			kj, _ := json.Marshal(k)
			vj, _ := json.Marshal(m.Attributes[k])
			b.Write(kj)
			b.WriteString(": ")
			b.Write(vj)
		}
		b.WriteString("}")
	}
	b.WriteString("}")
	return b.String()
}
