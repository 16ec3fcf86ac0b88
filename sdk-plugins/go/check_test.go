package wsbxplugin

import (
	"encoding/json"
	"testing"

	"github.com/wsbx/wsbx/plugins/abi"
)

func TestDecodeCheckRequest(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want abi.CheckRequest
	}{
		{`{"op":"exec","session":"s1","subject":"ls -la"}`, abi.CheckRequest{Op: "exec", Session: "s1", Subject: "ls -la"}},
		{` { "subject" : "a\"b\\c\u00e9\n" , "op":"read" } `, abi.CheckRequest{Op: "read", Subject: "a\"b\\cé\n"}},
		{`{"OP":"write","Op":"exec","extra":[1,{"x":null}]}`, abi.CheckRequest{Op: "exec"}},
		{`{"op":null,"session":"s"}`, abi.CheckRequest{Session: "s"}},
		{`{}`, abi.CheckRequest{}},
	} {
		got, err := decodeCheckRequest([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("decode %s = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{``, `[]`, `"op"`, `{"op":1}`, `{"op":"x"`, `{"op":"x"} trailing`, `{"subject":true}`} {
		if _, err := decodeCheckRequest([]byte(bad)); err == nil {
			t.Errorf("decode %q: no error", bad)
		}
		var req abi.CheckRequest
		if json.Unmarshal([]byte(bad), &req) == nil {
			t.Errorf("encoding/json accepts %q: the cases above should be errors for both", bad)
		}
	}
}

// FuzzCheckCodec checks the kit's check codec against encoding/json, which
// the host uses: every request the host marshals decodes to the same
// values, every input encoding/json accepts decodes the same way or is
// refused (the host never sends it), and every decision the kit encodes
// unmarshals to itself.
// TestHostRequestsTakeThePlainScan: what the host sends for everyday
// command lines (quotes, backslashes, newlines, & < >, non-ASCII) never needs
// the parser.
func TestHostRequestsTakeThePlainScan(t *testing.T) {
	want := abi.CheckRequest{Op: "exec", Session: "3f2a", Subject: "printf \"%s\\n\" ünï\tcode && cat <in >out\nexit"}
	b, err := abi.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var fields [3][]byte
	if !scanPlainCheckRequest(b, &fields) {
		t.Fatalf("the plain scan refuses %s", b)
	}
	if got, err := decodeCheckRequest(b); err != nil || got != want {
		t.Fatalf("decode %s = %+v, %v", b, got, err)
	}
}

func FuzzCheckCodec(f *testing.F) {
	f.Add("exec", "s1", "rm -rf /", "denied: matches ^rm", []byte(`{"op":"exec"}`))
	f.Add("network", "", "pypi.org:443", "", []byte(`{"OP":"a","op":null}`))
	f.Add("read", "sess\x00ion", "/a/\xff\"b\\", "<&>\u2028", []byte(`{"subject":"\ud800"}`))
	f.Add("", "", "", "", []byte(`{"op":"a","op":"b","subject":"\xff"}`))
	f.Add("", "", "", "", []byte(`{"op":"a","session":"s",}`))
	f.Add("", "", "", "", []byte(`{"op":"a"}x`))
	f.Fuzz(func(t *testing.T, op, session, subject, reason string, raw []byte) {
		b, err := abi.Marshal(abi.CheckRequest{Op: op, Session: session, Subject: subject})
		if err != nil {
			t.Fatal(err)
		}
		var want abi.CheckRequest
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		got, err := decodeCheckRequest(b)
		if err != nil || got != want {
			t.Fatalf("decode %s = %+v, %v; want %+v", b, got, err, want)
		}

		// Arbitrary input: never a panic; where both accept it, the same
		// values, except for escaped surrogates, which encoding/json
		// replaces and fastjson keeps.
		got, gotErr := decodeCheckRequest(raw)
		var std abi.CheckRequest
		stdErr := json.Unmarshal(raw, &std)
		if gotErr == nil && stdErr == nil && got != std && !hasEscapedSurrogate(raw) {
			t.Fatalf("decode %q = %+v; encoding/json gives %+v", raw, got, std)
		}

		var plain, parsed [3][]byte
		if scanPlainCheckRequest(raw, &plain) {
			if err := parseCheckRequest(raw, &parsed); err != nil {
				t.Fatalf("the plain scan accepts %q; the parser says %v", raw, err)
			}
			for i := range plain {
				if string(plain[i]) != string(parsed[i]) {
					t.Fatalf("%q: the plain scan reads field %d as %q, the parser as %q", raw, i, plain[i], parsed[i])
				}
			}
		}

		for _, allow := range []bool{true, false} {
			d := abi.Decision{Allow: allow, Reason: reason}
			var back abi.Decision
			if err := json.Unmarshal(appendDecision(nil, d), &back); err != nil {
				t.Fatalf("decision %+v encodes to invalid JSON: %v", d, err)
			}
			if want := (abi.Decision{Allow: allow, Reason: string(validUTF8([]byte(reason)))}); back != want {
				t.Fatalf("decision %+v comes back as %+v", want, back)
			}
		}
	})
}

// hasEscapedSurrogate reports whether raw may hold a \uD800-\uDFFF escape.
func hasEscapedSurrogate(raw []byte) bool {
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] == '\\' && (raw[i+1] == 'u' || raw[i+1] == 'U') && (raw[i+2] == 'd' || raw[i+2] == 'D') {
			return true
		}
	}
	return false
}
