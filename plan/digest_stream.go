package plan

import (
	"bufio"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// The digests hash the same bytes as before, but never hold them: a
// configuration or a live state of tens of thousands of resources was
// marshalled whole (and, for ConfigDigest, unmarshalled into a tree of
// maps and marshalled again) just to be hashed, which made the digests the
// peak of a plan's memory. Here the JSON is written into the hash one
// resource at a time.

// writeLiveSnapshot writes what Digest hashes: the JSON of
//
//	struct {
//		Schemas       []*model.Schema
//		Topics        []*model.Topic
//		Subscriptions []*model.Subscription
//		Policies      map[string]*model.Policy
//	}
//
// with the resources sorted by name and each policy normalized, exactly as
// json.Marshal writes that struct, one element at a time.
func writeLiveSnapshot(w io.Writer, l *model.State) error {
	bw := bufio.NewWriter(w)
	sw := &jsonStream{w: bw}
	sw.raw(`{"Schemas":`)
	writeSortedArray(sw, l.Schemas, func(s *model.Schema) string { return s.Name })
	sw.raw(`,"Topics":`)
	writeSortedArray(sw, l.Topics, func(t *model.Topic) string { return t.Name })
	sw.raw(`,"Subscriptions":`)
	writeSortedArray(sw, l.Subscriptions, func(s *model.Subscription) string { return s.Name })
	sw.raw(`,"Policies":{`)
	names := make([]string, 0, len(l.Policies))
	for n, pol := range l.Policies {
		if pol != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for i, n := range names {
		if i > 0 {
			sw.raw(",")
		}
		sw.value(n)
		sw.raw(":")
		pol := l.Policies[n]
		c := *pol
		c.Bindings = append([]model.PolicyBinding(nil), pol.Bindings...)
		c.Normalize()
		sw.value(&c)
	}
	sw.raw("}}")
	if sw.err != nil {
		return sw.err
	}
	return bw.Flush()
}

// writeSortedArray writes a copy of s sorted by name as a JSON array
// (null when s is nil, as json.Marshal writes a nil slice).
func writeSortedArray[T any](sw *jsonStream, s []T, name func(T) string) {
	if s == nil {
		sw.raw("null")
		return
	}
	sorted := slices.Clone(s)
	sort.Slice(sorted, func(i, j int) bool { return name(sorted[i]) < name(sorted[j]) })
	sw.raw("[")
	for i, e := range sorted {
		if i > 0 {
			sw.raw(",")
		}
		sw.value(e)
	}
	sw.raw("]")
}

// jsonStream writes JSON pieces to w, keeping the first error.
type jsonStream struct {
	w   io.Writer
	err error
}

func (s *jsonStream) raw(p string) {
	if s.err == nil {
		_, s.err = io.WriteString(s.w, p)
	}
}

func (s *jsonStream) bytes(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

// value writes json.Marshal(v).
func (s *jsonStream) value(v any) {
	if s.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		s.err = err
		return
	}
	s.bytes(b)
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// writeCanonical writes Canonical(v) to w. A struct (or a pointer to one)
// whose non-empty slice fields hold its bulk (a configuration's topics and
// subscriptions) is written a slice element at a time: the canonical form
// of an object is its members sorted by key, and the canonical form of an
// array is that of each element in turn, so the bytes are the same as
// Canonical's; only one element's JSON is in memory at a time.
func writeCanonical(w io.Writer, v any) error {
	bw := bufio.NewWriter(w)
	sw := &jsonStream{w: bw}
	writeCanonicalValue(sw, v)
	if sw.err != nil {
		return sw.err
	}
	return bw.Flush()
}

func writeCanonicalValue(sw *jsonStream, v any) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct || marshalsItself(rv.Type()) {
		sw.bytes(Canonical(v))
		return
	}
	st := rv.Elem()
	t := st.Type()
	// rest is a copy of the struct without the slices written element by
	// element; what Canonical makes of it gives every other member.
	rest := reflect.New(t)
	rest.Elem().Set(st)
	type split struct {
		key       string
		omitEmpty bool
		elems     reflect.Value
	}
	var splits []split
	for i := range t.NumField() {
		f := t.Field(i)
		fv := st.Field(i)
		if !f.IsExported() || f.Anonymous || f.Type.Kind() != reflect.Slice || fv.Len() == 0 ||
			f.Type.Elem().Kind() == reflect.Uint8 || marshalsItself(f.Type) {
			continue
		}
		key, omitEmpty, ok := jsonField(f)
		if !ok {
			continue
		}
		splits = append(splits, split{key, omitEmpty, fv})
		rest.Elem().Field(i).Set(reflect.Zero(f.Type))
	}
	if len(splits) == 0 {
		sw.bytes(Canonical(v))
		return
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(Canonical(rest.Interface()), &members); err != nil {
		panic(fmt.Sprintf("plan: canonical: %v", err)) // Canonical of a struct is an object
	}
	inSplit := map[string]reflect.Value{}
	for _, s := range splits {
		// The nil slice left in rest is written as null, or left out when
		// the field is omitempty; a member that is not there at all was
		// removed by Canonical (stripMeta) and stays out.
		if _, there := members[s.key]; !there && !s.omitEmpty {
			continue
		}
		inSplit[s.key] = s.elems
		members[s.key] = nil
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare) // as encoding/json sorts map keys
	sw.raw("{")
	for i, k := range keys {
		if i > 0 {
			sw.raw(",")
		}
		sw.value(k)
		sw.raw(":")
		elems, ok := inSplit[k]
		if !ok {
			sw.bytes(members[k])
			continue
		}
		sw.raw("[")
		for j := range elems.Len() {
			if j > 0 {
				sw.raw(",")
			}
			e := elems.Index(j)
			if e.Kind() != reflect.Pointer && e.CanAddr() {
				e = e.Addr() // as json.Marshal sees an addressable element
			}
			sw.bytes(Canonical(e.Interface()))
		}
		sw.raw("]")
	}
	sw.raw("}")
}

// marshalsItself reports whether values of t (or pointers to them) have
// their own JSON or text form, which must not be taken apart.
func marshalsItself(t reflect.Type) bool {
	for _, x := range []reflect.Type{t, reflect.PointerTo(t)} {
		if x.Implements(jsonMarshalerType) || x.Implements(textMarshalerType) {
			return true
		}
	}
	return false
}

// jsonField returns the member name encoding/json gives a struct field and
// whether it is omitempty; ok is false for a field it leaves out.
func jsonField(f reflect.StructField) (name string, omitEmpty, ok bool) {
	tag, hasTag := f.Tag.Lookup("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if !hasTag || name == "" {
		name = f.Name
	}
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			omitEmpty = true
		}
	}
	return name, omitEmpty, true
}
