package spec

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	for text, want := range map[string]Spec{
		"knn":     {Name: "knn"},
		" knn : ": {Name: "knn", HasArgs: true},
		"knn:5":   {Name: "knn", HasArgs: true, Rest: "5", Args: []Arg{{Value: "5"}}},
		"knn:k = 5 , metric=cosine": {Name: "knn", HasArgs: true, Rest: "k = 5 , metric=cosine",
			Args: []Arg{{"k", "5"}, {"metric", "cosine"}}},
		"elastic:2,2": {Name: "elastic", HasArgs: true, Rest: "2,2", Args: []Arg{{Value: "2"}, {Value: "2"}}},
		"sgd:momentum=0.9,nesterov": {Name: "sgd", HasArgs: true, Rest: "momentum=0.9,nesterov",
			Args: []Arg{{"momentum", "0.9"}, {Value: "nesterov"}}},
		// A nested spec keeps its commas; a later key=value ends it.
		"views:V=2,augment=elastic:2,2+noise:0.1,V=3": {Name: "views", HasArgs: true,
			Rest: "V=2,augment=elastic:2,2+noise:0.1,V=3",
			Args: []Arg{{"V", "2"}, {"augment", "elastic:2,2+noise:0.1"}, {"V", "3"}}},
		// A bare piece after a value without ':' is its own argument.
		"knn:k=5,3":    {Name: "knn", HasArgs: true, Rest: "k=5,3", Args: []Arg{{"k", "5"}, {Value: "3"}}},
		"knn:k=3,,":    {Name: "knn", HasArgs: true, Rest: "k=3,,", Args: []Arg{{"k", "3"}, {}, {}}},
		"a:x=b=c":      {Name: "a", HasArgs: true, Rest: "x=b=c", Args: []Arg{{"x", "b=c"}}},
		"edges:C:/g,1": {Name: "edges", HasArgs: true, Rest: "C:/g,1", Args: []Arg{{Value: "C:/g"}, {Value: "1"}}},
	} {
		got, err := Parse(text)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", text, got, err, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, text := range []string{"knn:=3", "knn:k=3, =1"} {
		s, err := Parse(text)
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q): error %v; want ErrSyntax", text, err)
		}
		if s.Name != "knn" || s.Rest == "" {
			t.Errorf("Parse(%q) on error = %+v; want Name and Rest kept", text, s)
		}
	}
	if _, err := ParseArg(" = 1"); !errors.Is(err, ErrSyntax) {
		t.Errorf("ParseArg(\" = 1\"): %v; want ErrSyntax", err)
	}
}

// String is canonical: it parses back to the same Args.
func TestStringRoundTrip(t *testing.T) {
	for _, text := range []string{"knn", "knn:k=5,metric=cosine", "elastic:2,2", "views:V=2,augment=elastic:2,2+noise:0.1"} {
		s, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(s.String())
		if err != nil || !reflect.DeepEqual(back.Args, s.Args) || back.Name != s.Name || s.String() != text {
			t.Errorf("%q: String %q parses to %+v, %v", text, s.String(), back, err)
		}
	}
}

func TestNumbers(t *testing.T) {
	for v, want := range map[string]bool{"1.5": true, " -2e3 ": true, "NaN": false, "Inf": false, "-inf": false, "x": false, "": false} {
		if _, ok := Float(v); ok != want {
			t.Errorf("Float(%q) ok = %v; want %v", v, ok, want)
		}
	}
	for v, want := range map[string]bool{"3": true, " -1 ": true, "1.0": false, "1e3": false, "": false} {
		if _, ok := Int(v); ok != want {
			t.Errorf("Int(%q) ok = %v; want %v", v, ok, want)
		}
	}
}

func ExampleParse() {
	s, _ := Parse("views:V=2,augment=elastic:2,2+noise:0.1")
	fmt.Println(s.Name)
	for _, a := range s.Args {
		fmt.Printf("%s -> %s\n", a.Key, a.Value)
	}
	// Output:
	// views
	// V -> 2
	// augment -> elastic:2,2+noise:0.1
}
