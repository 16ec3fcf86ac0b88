package host_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/host"
	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

// pluginCall calls the host function name of fns with req marshaled and
// returns its decoded response.
func pluginCall(t *testing.T, ctx context.Context, fns []host.PluginFunction, name string, req any) abi.Response {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		if f.Name == name {
			var resp abi.Response
			if err := json.Unmarshal(f.Call(ctx, in), &resp); err != nil {
				t.Fatalf("%s: response is not JSON: %v", name, err)
			}
			return resp
		}
	}
	t.Fatalf("no host function %s", name)
	return abi.Response{}
}

func wantCode(t *testing.T, resp abi.Response, code providers.Code) {
	t.Helper()
	if resp.Error == nil || resp.Error.Code != code {
		t.Fatalf("want error %s, got %+v", code, resp)
	}
}

func TestPluginFilesStayUnderTheDestination(t *testing.T) {
	ctx := context.Background()
	s, err := wasi.New().Create(ctx, providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.WriteFile(ctx, "/workspace/secret", strings.NewReader("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	fns := host.PluginFunctions(&host.PluginGrant{Name: "p", MaxReadBytes: 16})

	// Without a workspace in the context, nothing is reachable.
	wantCode(t, pluginCall(t, ctx, fns, abi.HostFSRead, abi.FSRequest{Path: "x"}), providers.CodePermissionDenied)

	wctx := host.WithPluginWorkspace(ctx, s, "/workspace/out")
	if resp := pluginCall(t, wctx, fns, abi.HostFSMkdir, abi.FSRequest{Path: "a/b"}); resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if resp := pluginCall(t, wctx, fns, abi.HostFSWrite, abi.FSRequest{Path: "a/b/f.txt", Data: []byte("hi"), Mode: 0o644}); resp.Error != nil {
		t.Fatal(resp.Error)
	}
	rc, err := s.ReadFile(ctx, "/workspace/out/a/b/f.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "hi" {
		t.Fatalf("written file holds %q", got)
	}
	resp := pluginCall(t, wctx, fns, abi.HostFSRead, abi.FSRequest{Path: "./a/../a/b/f.txt"})
	var data abi.Data
	if resp.Error != nil || json.Unmarshal(resp.Result, &data) != nil || string(data.Data) != "hi" {
		t.Fatalf("read back: %+v", resp)
	}

	for _, p := range []string{"../secret", "a/../../secret", "/workspace/secret", "..", ""} {
		code := providers.CodePathEscape
		if p == "" {
			code = providers.CodeInvalidPath
		}
		wantCode(t, pluginCall(t, wctx, fns, abi.HostFSRead, abi.FSRequest{Path: p}), code)
		wantCode(t, pluginCall(t, wctx, fns, abi.HostFSWrite, abi.FSRequest{Path: p, Data: []byte("x")}), code)
	}
	wantCode(t, pluginCall(t, wctx, fns, abi.HostFSRead, abi.FSRequest{Path: "a\x00b"}), providers.CodeInvalidPath)

	// A symlink below the destination is not followed, wherever it points.
	for _, cmd := range []string{"ln -s ../../secret /workspace/out/a/link", "ln -s /workspace /workspace/out/ws"} {
		if r, err := s.Exec(ctx, providers.ExecRequest{Command: cmd}); err != nil || r.ExitCode != 0 {
			t.Fatalf("%s: %v %+v", cmd, err, r)
		}
	}
	for _, p := range []string{"a/link", "ws/secret", "ws/new"} {
		wantCode(t, pluginCall(t, wctx, fns, abi.HostFSRead, abi.FSRequest{Path: p}), providers.CodePathEscape)
		wantCode(t, pluginCall(t, wctx, fns, abi.HostFSWrite, abi.FSRequest{Path: p, Data: []byte("x")}), providers.CodePathEscape)
	}
	rc, err = s.ReadFile(ctx, "/workspace/secret")
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	rc.Close()
	if string(got) != "s3cret" {
		t.Fatalf("the file behind the link now holds %q", got)
	}

	// A file larger than the plugin may receive.
	big := bytes.Repeat([]byte("x"), 17)
	if resp := pluginCall(t, wctx, fns, abi.HostFSWrite, abi.FSRequest{Path: "big", Data: big}); resp.Error != nil {
		t.Fatal(resp.Error)
	}
	wantCode(t, pluginCall(t, wctx, fns, abi.HostFSRead, abi.FSRequest{Path: "big"}), providers.CodePluginError)

	// Malformed requests are answered, never a panic.
	for _, f := range fns {
		var resp abi.Response
		if err := json.Unmarshal(f.Call(wctx, []byte("{not json")), &resp); err != nil || resp.Error == nil || resp.Error.Code != providers.CodeInvalidRequest {
			t.Fatalf("%s on malformed JSON: %+v, %v", f.Name, resp, err)
		}
	}
}

func TestPluginLogNamesThePlugin(t *testing.T) {
	var buf bytes.Buffer
	g := &host.PluginGrant{Name: "early", Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	fns := host.PluginFunctions(g)
	g.Name = "described" // read at each call
	long := strings.Repeat("y", 5000)
	if resp := pluginCall(t, context.Background(), fns, abi.HostLog, abi.LogRequest{Level: "warn", Message: long}); resp.Error != nil {
		t.Fatal(resp.Error)
	}
	out := buf.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "plugin=described") || strings.Count(out, "y") > 4200 {
		t.Fatalf("log record: %.200s", out)
	}
}
