package plan

import (
	"reflect"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/model"
)

func TestNative(t *testing.T) {
	for _, tc := range []struct {
		rendered string
		want     any
	}{
		{"", nil},
		{q("orders"), "orders"},
		{q(`attributes.region = "eu"`), `attributes.region = "eu"`},
		{q("tab\there é ✓"), "tab\there é ✓"},
		{dur(10 * time.Minute), "10m"},
		{boolean(true), true},
		{boolean(false), false},
		{num(1 << 40), int64(1 << 40)},
		{"5", int64(5)},
		{list([]string{"b", "a, \"c\""}), []string{"a, \"c\"", "b"}},
		{list([]string{"europe-west1"}), []string{"europe-west1"}},
	} {
		if got := Native(tc.rendered); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Native(%s) = %#v, want %#v", tc.rendered, got, tc.want)
		}
	}
}

// TestNativeEveryField renders every field of full resources and checks
// that each value converts.
func TestNativeEveryField(t *testing.T) {
	sub := &model.Subscription{Name: "s", Topic: "projects/p/topics/t", AckDeadline: time.Minute, Filter: `attributes.x = "y"`,
		EnableMessageOrdering: true, Expiration: model.Expiration{Never: true},
		RetryPolicy:  &model.RetryPolicy{MinimumBackoff: time.Second, MaximumBackoff: time.Minute},
		DeadLetter:   &model.DeadLetter{Topic: "projects/p/topics/d", MaxDeliveryAttempts: 7},
		CloudStorage: &model.CloudStorageConfig{Bucket: "b", MaxBytes: 1000, MaxMessages: 10, Avro: &model.AvroConfig{WriteMetadata: true}},
		Labels:       map[string]string{"team": "a"}}
	topic := &model.Topic{Name: "t", MessageRetention: time.Hour,
		StoragePolicy: &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1", "europe-west4"}, EnforceInTransit: true}}
	seen := map[reflect.Kind]bool{}
	for _, r := range []model.Resource{sub, topic, &model.Schema{Name: "s", Type: "AVRO", Definition: `{"type":"string"}`}} {
		for _, f := range Values("p", r) {
			v := Native(f.After)
			if v == nil {
				t.Errorf("%s: %s converts to nil", f.Path, f.After)
				continue
			}
			seen[reflect.TypeOf(v).Kind()] = true
		}
	}
	for _, k := range []reflect.Kind{reflect.String, reflect.Bool, reflect.Int64, reflect.Slice} {
		if !seen[k] {
			t.Errorf("no field converted to a %s", k)
		}
	}
}

func TestNativeValuesHidesSensitive(t *testing.T) {
	f := FieldDiff{Path: "push.endpoint", Before: "", After: q("https://secret"), Sensitive: true}
	b, a := f.NativeValues()
	if b != nil || a != SensitiveValue {
		t.Errorf("NativeValues = %#v, %#v; want nil, %q", b, a, SensitiveValue)
	}
}
