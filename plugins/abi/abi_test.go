package abi

import (
	"encoding/json"
	"testing"
)

func TestMarshal(t *testing.T) {
	req := CheckRequest{Op: OpExec, Session: "s1", Subject: `a && b <in >out "q"` + "\n\u2028"}
	b, err := Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"op":"exec","session":"s1","subject":"a && b <in >out \"q\"\n\u2028"}`
	if string(b) != want {
		t.Fatalf("Marshal = %s\nwant      %s", b, want)
	}
	var back CheckRequest
	if err := json.Unmarshal(b, &back); err != nil || back != req {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}
