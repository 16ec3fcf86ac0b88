/*
 * hostile: a test plugin that misbehaves on purpose. Built three times:
 * plain, with -DDESCRIBE_MALFORMED and with -DDESCRIBE_ABI2.
 */
#define WSBX_PLUGIN_IMPLEMENTATION
#include "../wsbx_plugin.h"

WSBX_EXPORT("wsbx_describe") int32_t describe(void) {
#if defined(DESCRIBE_MALFORMED)
	wsbx_output("{\"abi\": 1, \"kind\": ", 19);
	return 0;
#elif defined(DESCRIBE_ABI2)
	const char *s = "{\"abi\":2,\"kind\":\"entry\",\"name\":\"hostile\",\"version\":\"0\"}";
	wsbx_output(s, strlen(s));
	return 0;
#else
	char *cfg = wsbx_config();
	const char *kind = "entry";
	if (cfg && strstr(cfg, "capability")) kind = "capability";
	int32_t rc = wsbx_describe_output(kind, "hostile", "0.0.1");
	free(cfg);
	return rc;
#endif
}

volatile uint64_t sink;

WSBX_EXPORT("spin") int32_t spin(void) {
	for (;;) sink++;
}

WSBX_EXPORT("membomb") int32_t membomb(void) {
	for (;;) {
		char *p = malloc(1 << 20);
		if (!p) __builtin_trap(); /* allocation refused: the limit held */
		memset(p, 1, 1 << 20);
		sink += (uint64_t)(uintptr_t)p;
	}
}

WSBX_EXPORT("trap") int32_t trap(void) {
	__builtin_trap();
}

WSBX_EXPORT("huge_output") int32_t huge_output(void) {
	size_t n = 8u << 20;
	wsbx_block blk = extism_alloc(n);
	if (!blk) return wsbx_fail("alloc failed");
	extism_output_set(blk, n);
	return 0;
}

WSBX_EXPORT("noop") int32_t noop(void) { return 0; }

WSBX_EXPORT("echo") int32_t echo(void) {
	size_t n;
	char *in = wsbx_input(&n);
	wsbx_output(in, n);
	free(in);
	return 0;
}

static wsbx_block write_file(const char *path, const char *b64) {
	wsbx_buf b = {0};
	wsbx_buf_puts(&b, "{\"path\":");
	wsbx_buf_json_string(&b, path);
	wsbx_buf_puts(&b, ",\"data\":");
	wsbx_buf_json_string(&b, b64);
	wsbx_buf_puts(&b, "}");
	wsbx_block req = wsbx_block_from(b.data, b.len);
	wsbx_buf_free(&b);
	return wsbx_host_fs_write(req);
}

/* fail_with_response fails the call with the host's error object:
 * {"error":{...}} becomes {...}. */
static int32_t fail_with_response(char *resp) {
	char *obj = strchr(resp + 1, '{');
	size_t m = obj ? strlen(obj) : 0;
	if (obj && m > 1) obj[m - 1] = 0; /* drop the outer closing brace */
	return wsbx_fail(obj ? obj : resp);
}

static char *response_text(wsbx_block r) { return wsbx_block_string(r); }

/* materialize writes inside.txt, then tries ../escaped.txt; it fails with
 * the host's error response to either write. */
WSBX_EXPORT("materialize") int32_t materialize(void) {
	char *resp = response_text(write_file("inside.txt", "b2s=")); /* "ok" */
	if (strstr(resp, "\"error\"")) return fail_with_response(resp);
	free(resp);
	resp = response_text(write_file("../escaped.txt", "cHduZWQ=")); /* "pwned" */
	if (strstr(resp, "\"error\"")) return fail_with_response(resp);
	free(resp);
	const char *ok = "{\"files\":2,\"bytes\":7}";
	wsbx_output(ok, strlen(ok));
	return 0;
}

/* http_get fetches the "url" of the configuration with Extism's HTTP host
 * function and outputs the body; the host allows only granted hosts. */
WSBX_EXPORT("http_get") int32_t http_get(void) {
	char *cfg = wsbx_config();
	char *url = cfg ? wsbx_json_string_field(cfg, "url") : NULL;
	if (!url) return wsbx_fail("no url configured");
	wsbx_buf b = {0};
	wsbx_buf_puts(&b, "{\"url\":");
	wsbx_buf_json_string(&b, url);
	wsbx_buf_puts(&b, ",\"method\":\"GET\"}");
	wsbx_block req = wsbx_block_from(b.data, b.len);
	wsbx_block body = extism_http_request(req, 0);
	uint64_t n = body ? extism_length(body) : 0;
	extism_output_set(body, n);
	return 0;
}
