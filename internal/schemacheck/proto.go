package schemacheck

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/ast"
	"github.com/bufbuild/protocompile/parser"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// protoFile is the name the definition is compiled under.
const protoFile = "schema.proto"

// maxProblems bounds how many problems one definition reports.
const maxProblems = 20

type protoSchema struct {
	msg protoreflect.MessageDescriptor
}

// compileProto parses def, applies Pub/Sub's rules for schemas (proto2 or
// proto3, no imports, exactly one top-level type and it a message), and
// compiles it with protocompile, collecting every error with its position.
func compileProto(def string) (*protoSchema, []Problem) {
	var probs []Problem
	rep := reporter.NewReporter(func(err reporter.ErrorWithPos) error {
		pos := err.GetPosition()
		probs = append(probs, Problem{Message: err.Unwrap().Error(), Line: pos.Line, Column: pos.Col})
		if len(probs) >= maxProblems {
			return err
		}
		return nil
	}, nil)
	file, err := parser.Parse(protoFile, strings.NewReader(def), reporter.NewHandler(rep))
	if err != nil || len(probs) > 0 {
		return nil, orProblem(probs, err)
	}
	probs = pubsubRules(file)
	if len(probs) > 0 {
		return nil, probs
	}
	c := protocompile.Compiler{
		Resolver: protocompile.ResolverFunc(func(name string) (protocompile.SearchResult, error) {
			if name == protoFile {
				return protocompile.SearchResult{AST: file}, nil
			}
			return protocompile.SearchResult{}, fmt.Errorf("imports are not supported")
		}),
		Reporter: rep,
	}
	files, err := c.Compile(context.Background(), protoFile)
	if err != nil || len(probs) > 0 {
		return nil, orProblem(probs, err)
	}
	msgs := files[0].Messages()
	if msgs.Len() != 1 {
		return nil, []Problem{{Message: "the definition must define exactly one top-level message"}}
	}
	return &protoSchema{msg: msgs.Get(0)}, nil
}

// orProblem returns probs, or a problem made of err when probs is empty.
func orProblem(probs []Problem, err error) []Problem {
	if len(probs) > 0 {
		return probs
	}
	if err == nil {
		err = errors.New("the definition does not compile")
	}
	return []Problem{{Message: err.Error()}}
}

// pubsubRules checks what Pub/Sub requires of a Protocol Buffer schema
// beyond compiling: its documentation says a schema may "define only one
// top-level type" and that "import statements that reference other types
// are not supported"; it supports proto2 and proto3, not editions.
func pubsubRules(file *ast.FileNode) []Problem {
	var probs []Problem
	at := func(n ast.Node, format string, args ...any) {
		pos := file.NodeInfo(n).Start()
		probs = append(probs, Problem{Message: fmt.Sprintf(format, args...), Line: pos.Line, Column: pos.Col})
	}
	if file.Edition != nil {
		at(file.Edition, "editions are not supported: Pub/Sub schemas use syntax = \"proto2\" or \"proto3\"")
	}
	var types []string
	var first ast.Node
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.ImportNode:
			at(d, "imports are not supported in a Pub/Sub schema (import %q): define every type the message uses in the one definition", d.Name.AsString())
		case *ast.MessageNode:
			types = append(types, "message "+string(d.Name.AsIdentifier()))
			if first == nil {
				first = d
			} else {
				at(d, "a Pub/Sub schema defines only one top-level type; %s is a second (nest it inside %s)", types[len(types)-1], types[0])
			}
		case *ast.EnumNode:
			at(d, "a Pub/Sub schema defines only one top-level type, a message: nest enum %s inside the message", d.Name.AsIdentifier())
		case *ast.ServiceNode:
			at(d, "a Pub/Sub schema defines a message, not a service (service %s)", d.Name.AsIdentifier())
		case *ast.ExtendNode:
			at(d, "a Pub/Sub schema defines only one top-level type, a message: top-level extend blocks are not supported")
		}
	}
	if first == nil && len(probs) == 0 {
		probs = append(probs, Problem{Message: "the definition defines no message: Pub/Sub wants one top-level message, e.g. syntax = \"proto3\"; message Order { string id = 1; }", Line: 1, Column: 1})
	}
	return probs
}

// validateJSON checks a message in the protobuf JSON encoding (unknown
// fields are errors, as for Pub/Sub).
func (s *protoSchema) validateJSON(data []byte) error {
	m := dynamicpb.NewMessage(s.msg)
	if err := (protojson.UnmarshalOptions{RecursionLimit: maxValueDepth}).Unmarshal(data, m); err != nil {
		return fmt.Errorf("does not match message %s: %s", s.msg.FullName(), cleanProtoError(err))
	}
	return nil
}

// validateBinary checks a message in the protobuf wire format, required
// fields (proto2) included.
func (s *protoSchema) validateBinary(data []byte) error {
	m := dynamicpb.NewMessage(s.msg)
	if err := (proto.UnmarshalOptions{RecursionLimit: maxValueDepth}).Unmarshal(data, m); err != nil {
		return fmt.Errorf("does not match message %s: %s", s.msg.FullName(), cleanProtoError(err))
	}
	return nil
}

// cleanProtoError drops the "proto:" prefix and the non-breaking spaces
// the protobuf module puts into its messages to keep them from being
// matched.
func cleanProtoError(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\u00a0", " ")
	return strings.TrimSpace(strings.TrimPrefix(msg, "proto:"))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
