package verify

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every check type declares what it needs: a new type must be added to
// Spec.Needs and to this table.
func TestEveryCheckTypeDeclaresNeeds(t *testing.T) {
	want := map[string]Needs{
		TypePods: {Cluster: true}, TypeResource: {Cluster: true}, TypeExec: {Cluster: true},
		TypeHTTP: {}, TypeSplit: {}, // through the ingress or a URL
		TypePromQL: {API: APIPrometheus}, TypeKiali: {API: APIKiali}, TypeTrace: {API: APIJaeger},
	}
	st := reflect.TypeFor[Spec]()
	fields := jsonFields(st)
	for _, typ := range checkTypes {
		ft, ok := fields[typ]
		if !ok {
			t.Fatalf("check type %q is not a field of Spec", typ)
		}
		var s Spec
		v := reflect.ValueOf(&s).Elem()
		for i := range st.NumField() {
			if st.Field(i).Type == ft {
				v.Field(i).Set(reflect.New(ft.Elem()))
			}
		}
		w, listed := want[typ]
		if !listed {
			t.Errorf("check type %q: add what it needs to Spec.Needs and to this table", typ)
		}
		assert.Equal(t, typ, s.Type())
		assert.Equal(t, w, s.Needs(), typ)
	}
	assert.Equal(t, Needs{}, (&Spec{}).Needs())
	assert.Equal(t, Needs{API: APIZipkin}, (&Spec{Trace: &TraceSpec{Backend: BackendZipkin}}).Needs())
	assert.Equal(t, Needs{Cluster: true}, (&Spec{HTTP: &HTTPSpec{Target: Target{From: &PodRef{}}}}).Needs())
	assert.Equal(t, Needs{Cluster: true}, (&Spec{Split: &SplitSpec{Target: Target{PortForward: &ForwardTarget{}}}}).Needs())
}
