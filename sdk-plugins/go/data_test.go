package wsbxplugin

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"testing"

	"github.com/wsbx/wsbx/plugins/abi"
)

func TestHostDataCallsTakeThePlainScan(t *testing.T) {
	for _, want := range []abi.WriteCall{
		{Session: "s1", Path: "dir/f \"q\".txt", Data: bytes.Repeat([]byte{0, 1, 2, 0xff, '"'}, 1000), Mode: 0o755},
		{Session: "s1", Path: "empty", Data: []byte{}},
		{Session: "s1", Path: "digits", Data: []byte("123456")}, // base64 ending in digits, no mode
	} {
		b, err := abi.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, ok := plainDataCall(b, "session", "path"); !ok {
			t.Fatalf("the plain scan refuses %.80s", b)
		}
		got, err := decodeWriteCall(b)
		if err != nil || got.Session != want.Session || got.Path != want.Path || !bytes.Equal(got.Data, want.Data) || got.Mode != want.Mode {
			t.Fatalf("decode %.80s = %+v, %v", b, got, err)
		}
	}
	b, _ := abi.Marshal(abi.ArchiveCall{Session: "s2", Data: []byte("tar")})
	if got, err := decodeArchiveCall(b); err != nil || got.Session != "s2" || string(got.Data) != "tar" {
		t.Fatalf("decode %s = %+v, %v", b, got, err)
	}
}

// FuzzDataCalls checks the write_file and import_archive decoders against
// encoding/json, as FuzzCheckCodec does for check requests.
func FuzzDataCalls(f *testing.F) {
	f.Add("s1", "a/b.txt", []byte("hello"), uint32(0o644), []byte(`{"session":"s","path":"p","data":"aGk=","mode":420}`))
	f.Add("", "", []byte{}, uint32(0), []byte(`{"session":"s","data":"aGk=","mode":0}`))
	f.Add("s", "p", []byte{0xff}, uint32(1<<31), []byte(`{"session":"s","path":"p","data":"aGk","mode":01}`))
	f.Add("s", "p\x00", []byte("1"), uint32(7), []byte(`{"session":"s","path":"p","data":"aG\"k=","mode":99999999999}`))
	f.Add("", "", []byte{}, uint32(0), []byte("{\"session\":\"s\",\"path\":\"p\",\"data\":\"aGk=\n\n\n\n\"}"))
	f.Add("", "", []byte{}, uint32(0), []byte("{\"session\":\"s\",\"data\":\"aG\rk\"}"))
	f.Fuzz(func(t *testing.T, session, path string, data []byte, mode uint32, raw []byte) {
		want := abi.WriteCall{Session: session, Path: path, Data: data, Mode: fs.FileMode(mode)}
		b, err := abi.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var std abi.WriteCall
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatal(err)
		}
		got, err := decodeWriteCall(b)
		if err != nil || !sameWrite(got, std) {
			t.Fatalf("decode %q = %+v, %v; want %+v", b, got, err, std)
		}

		// Arbitrary input: where the plain scan accepts it, encoding/json
		// accepts it too and reads the same.
		if _, _, _, ok := plainDataCall(raw, "session", "path"); ok {
			got, err := decodeWriteCall(raw)
			var std abi.WriteCall
			if jerr := json.Unmarshal(raw, &std); err != nil || jerr != nil || !sameWrite(got, std) {
				t.Fatalf("%q: plain scan %+v, %v; encoding/json %+v, %v", raw, got, err, std, jerr)
			}
		}
		if _, _, _, ok := plainDataCall(raw, "session"); ok {
			got, err := decodeArchiveCall(raw)
			var std abi.ArchiveCall
			if jerr := json.Unmarshal(raw, &std); err != nil || jerr != nil || got.Session != std.Session || !bytes.Equal(got.Data, std.Data) {
				t.Fatalf("%q: plain scan %+v, %v; encoding/json %+v, %v", raw, got, err, std, jerr)
			}
		}
	})
}

func sameWrite(a, b abi.WriteCall) bool {
	return a.Session == b.Session && a.Path == b.Path && bytes.Equal(a.Data, b.Data) && a.Mode == b.Mode
}
