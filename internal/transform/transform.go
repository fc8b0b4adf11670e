package transform

import (
	"errors"
	"fmt"
	"maps"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// Pub/Sub's documented bounds that the runner enforces.
const (
	// MaxCodeBytes is the largest UDF code Pub/Sub accepts (assumed from
	// the SMT documentation's limits: 20 KB).
	MaxCodeBytes = 20 * 1024
	// MaxTransforms is the most transforms one topic or subscription may
	// have (assumed from the SMT documentation: 5).
	MaxTransforms = 5
	// MaxMessageBytes is Pub/Sub's largest message (10 MB).
	MaxMessageBytes = 10 * 1000 * 1000
	// MaxAttributes is Pub/Sub's most attributes a message may have.
	MaxAttributes = 100
)

// Limits bound one call of a UDF.
type Limits struct {
	Timeout       time.Duration // interrupt the call after this long
	MaxData       int           // bytes of data in and out
	MaxAttributes int           // attributes out
	MaxHeapGrowth uint64        // interrupt when the heap grew this much during the call (0: no watcher)
}

// DefaultLimits are the emulator's and transform test's bounds.
var DefaultLimits = Limits{
	Timeout:       500 * time.Millisecond,
	MaxData:       MaxMessageBytes,
	MaxAttributes: MaxAttributes,
	MaxHeapGrowth: 256 << 20,
}

// Message is what a UDF sees and returns.
type Message struct {
	Data        []byte
	Attributes  map[string]string
	MessageID   string
	OrderingKey string
	PublishTime time.Time
}

// UDF is a JavaScript user-defined function.
type UDF struct {
	FunctionName string
	Code         string
}

// SyntaxError is a UDF that does not parse or does not declare its
// function; Line and Column (from 1) are within the code, 0 when unknown.
type SyntaxError struct {
	Line, Column int
	Message      string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
	}
	return e.Message
}

// Failure is a transformation failure: the UDF threw, returned a value of
// the wrong shape, or was stopped by a bound.
type Failure struct {
	Function string
	Reason   string
}

func (e *Failure) Error() string {
	return fmt.Sprintf("transform %s failed: %s", e.Function, e.Reason)
}

// Program is a compiled UDF, safe for concurrent use.
type Program struct {
	udf  UDF
	prog *goja.Program
}

// Compile parses a UDF's code and checks that it declares its function at
// the top level. Errors are *SyntaxError.
func Compile(u UDF) (*Program, error) {
	if u.FunctionName == "" {
		return nil, &SyntaxError{Message: "function_name is empty"}
	}
	if len(u.Code) > MaxCodeBytes {
		return nil, &SyntaxError{Message: fmt.Sprintf("the code is %d bytes; Pub/Sub accepts at most %d", len(u.Code), MaxCodeBytes)}
	}
	tree, err := parser.ParseFile(nil, "udf.js", u.Code, 0, parser.WithDisableSourceMaps)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return nil, &SyntaxError{Line: list[0].Position.Line, Column: list[0].Position.Column, Message: list[0].Message}
		}
		return nil, &SyntaxError{Message: err.Error()}
	}
	if !declares(tree, u.FunctionName) {
		return nil, &SyntaxError{Message: fmt.Sprintf("the code does not declare a function named %q at its top level (function %s(message, metadata) { ... })", u.FunctionName, u.FunctionName)}
	}
	prog, err := goja.CompileAST(tree, false)
	if err != nil {
		var ce *goja.CompilerSyntaxError
		if errors.As(err, &ce) && ce.File != nil {
			p := ce.File.Position(ce.Offset)
			return nil, &SyntaxError{Line: p.Line, Column: p.Column, Message: ce.Message}
		}
		return nil, &SyntaxError{Message: err.Error()}
	}
	return &Program{udf: u, prog: prog}, nil
}

// declares reports whether the program declares name at its top level as
// a function or a variable initialized with a function.
func declares(p *ast.Program, name string) bool {
	isFunc := func(e ast.Expression) bool {
		switch e.(type) {
		case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral:
			return true
		}
		return false
	}
	bound := func(list []*ast.Binding) bool {
		for _, b := range list {
			if id, ok := b.Target.(*ast.Identifier); ok && string(id.Name) == name && isFunc(b.Initializer) {
				return true
			}
		}
		return false
	}
	for _, st := range p.Body {
		switch s := st.(type) {
		case *ast.FunctionDeclaration:
			if s.Function != nil && s.Function.Name != nil && string(s.Function.Name.Name) == name {
				return true
			}
		case *ast.VariableStatement:
			if bound(s.List) {
				return true
			}
		case *ast.LexicalDeclaration:
			if bound(s.List) {
				return true
			}
		}
	}
	return false
}

// Run calls the UDF on m. It returns the new message, or nil when the UDF
// filtered m out; err is a *Failure.
func (p *Program) Run(m Message, lim Limits) (*Message, error) {
	fail := func(format string, args ...any) (*Message, error) {
		return nil, &Failure{Function: p.udf.FunctionName, Reason: fmt.Sprintf(format, args...)}
	}
	if lim.MaxData > 0 && len(m.Data) > lim.MaxData {
		return fail("the message data is %d bytes, more than the %d a transform takes", len(m.Data), lim.MaxData)
	}
	if !utf8.Valid(m.Data) {
		return fail("the message data is not valid UTF-8: a JavaScript UDF receives data as a string")
	}
	vm := goja.New()
	vm.SetMaxCallStackSize(1000)
	stop := watch(vm, lim)
	defer stop()
	out, err := p.call(vm, m)
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			if r, ok := ie.Value().(string); ok {
				return fail("%s", r)
			}
			return fail("interrupted")
		}
		var ex *goja.Exception
		if errors.As(err, &ex) {
			return fail("threw %s", firstLine(ex.Value().String()))
		}
		return fail("%v", firstLine(err.Error()))
	}
	if out == nil {
		return nil, nil
	}
	if lim.MaxData > 0 && len(out.Data) > lim.MaxData {
		return fail("it returned %d bytes of data, more than %d", len(out.Data), lim.MaxData)
	}
	if lim.MaxAttributes > 0 && len(out.Attributes) > lim.MaxAttributes {
		return fail("it returned %d attributes, more than Pub/Sub's %d", len(out.Attributes), lim.MaxAttributes)
	}
	out.MessageID, out.OrderingKey, out.PublishTime = m.MessageID, m.OrderingKey, m.PublishTime
	return out, nil
}

// shapeError is a returned value of the wrong shape.
type shapeError string

func (e shapeError) Error() string { return string(e) }

// call runs the code and the function; a nil message means filtered out.
func (p *Program) call(vm *goja.Runtime, m Message) (out *Message, err error) {
	defer func() {
		if r := recover(); r != nil { // goja panics on some host errors
			err = fmt.Errorf("%v", r)
		}
	}()
	if _, err := vm.RunProgram(p.prog); err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(vm.Get(p.udf.FunctionName))
	if !ok {
		return nil, fmt.Errorf("%s is not a function", p.udf.FunctionName)
	}
	attrs := vm.NewObject()
	for _, k := range slices.Sorted(maps.Keys(m.Attributes)) {
		if err := attrs.Set(k, m.Attributes[k]); err != nil {
			return nil, err
		}
	}
	msg := vm.NewObject()
	_ = msg.Set("data", string(m.Data))
	_ = msg.Set("attributes", attrs)
	meta := vm.NewObject()
	if m.MessageID != "" {
		_ = meta.Set("message_id", m.MessageID)
	}
	if !m.PublishTime.IsZero() {
		_ = meta.Set("publish_time", m.PublishTime.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if m.OrderingKey != "" {
		_ = meta.Set("ordering_key", m.OrderingKey)
	}
	res, err := fn(goja.Undefined(), msg, meta)
	if err != nil {
		return nil, err
	}
	return toMessage(vm, res)
}

func toMessage(vm *goja.Runtime, v goja.Value) (*Message, error) {
	if v == nil || goja.IsUndefined(v) {
		return nil, shapeError("it returned undefined: return the message, or null to filter it out")
	}
	if goja.IsNull(v) {
		return nil, nil
	}
	obj, ok := v.(*goja.Object)
	if !ok || obj.ClassName() == "Array" || obj.ClassName() == "Function" {
		return nil, shapeError(fmt.Sprintf("it returned %s, not a message object {data, attributes} or null", describe(v)))
	}
	data := obj.Get("data")
	if data == nil || goja.IsUndefined(data) || goja.IsNull(data) {
		return nil, shapeError("the returned message has no data (a string is required)")
	}
	if _, ok := data.Export().(string); !ok {
		return nil, shapeError(fmt.Sprintf("the returned data is %s, not a string", describe(data)))
	}
	out := &Message{Data: []byte(data.String())}
	a := obj.Get("attributes")
	if a == nil || goja.IsUndefined(a) || goja.IsNull(a) {
		return out, nil
	}
	ao, ok := a.(*goja.Object)
	if !ok || ao.ClassName() == "Array" {
		return nil, shapeError(fmt.Sprintf("the returned attributes are %s, not an object of strings", describe(a)))
	}
	keys := ao.Keys()
	if len(keys) > 0 {
		out.Attributes = make(map[string]string, len(keys))
	}
	for _, k := range keys {
		x := ao.Get(k)
		s, ok := x.Export().(string)
		if !ok {
			return nil, shapeError(fmt.Sprintf("attribute %q is %s, not a string", k, describe(x)))
		}
		out.Attributes[k] = s
	}
	return out, nil
}

func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if o, ok := v.(*goja.Object); ok {
		return "an " + strings.ToLower(o.ClassName())
	}
	switch v.Export().(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	}
	return "a " + v.ExportType().String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// watch interrupts vm when the call runs past the time bound or the heap
// grows past the memory bound; stop ends the watch.
func watch(vm *goja.Runtime, lim Limits) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	go func() {
		var timeout <-chan time.Time
		if lim.Timeout > 0 {
			t := time.NewTimer(lim.Timeout)
			defer t.Stop()
			timeout = t.C
		}
		var tick <-chan time.Time
		var base uint64
		if lim.MaxHeapGrowth > 0 {
			base = heapBytes()
			tk := time.NewTicker(5 * time.Millisecond)
			defer tk.Stop()
			tick = tk.C
		}
		for {
			select {
			case <-done:
				return
			case <-timeout:
				vm.Interrupt(fmt.Sprintf("it ran longer than %s (a runaway loop?) and was stopped", lim.Timeout))
				return
			case <-tick:
				if h := heapBytes(); h > base && h-base > lim.MaxHeapGrowth {
					vm.Interrupt(fmt.Sprintf("it allocated more than %d MB and was stopped", lim.MaxHeapGrowth>>20))
					return
				}
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
var heapMu sync.Mutex

func heapBytes() uint64 {
	heapMu.Lock()
	defer heapMu.Unlock()
	metrics.Read(heapSample)
	if heapSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return heapSample[0].Value.Uint64()
}

// Step is one transform of a chain: a JavaScript UDF (Program) or a
// built-in transform (Native, e.g. Zlib).
type Step struct {
	Name     string // for messages: "topic.orders transform 1"
	Program  *Program
	Native   func(Message, Limits) (*Message, error)
	Disabled bool
}

// StepResult is what one step did to a message.
type StepResult struct {
	Name     string
	Skipped  bool     // disabled
	Filtered bool     // the step returned null
	Message  *Message // after the step (nil when filtered or failed)
	Err      error
}

// RunChain runs the steps in order, stopping at a filter or a failure. It
// returns the final message (nil when filtered out or failed), the per-step
// results and the failure, if any.
func RunChain(steps []Step, m Message, lim Limits) (*Message, []StepResult, error) {
	cur := &m
	var results []StepResult
	for _, s := range steps {
		if s.Disabled {
			results = append(results, StepResult{Name: s.Name, Skipped: true, Message: cur})
			continue
		}
		var out *Message
		var err error
		if s.Native != nil {
			out, err = s.Native(*cur, lim)
		} else {
			out, err = s.Program.Run(*cur, lim)
		}
		switch {
		case err != nil:
			results = append(results, StepResult{Name: s.Name, Err: err})
			return nil, results, fmt.Errorf("%s: %w", s.Name, err)
		case out == nil:
			results = append(results, StepResult{Name: s.Name, Filtered: true})
			return nil, results, nil
		}
		results = append(results, StepResult{Name: s.Name, Message: out})
		cur = out
	}
	return cur, results, nil
}
