/*
 * wsbx_plugin.h: a minimal wsbx plug-in kit for C (clang --target=wasm32-wasi).
 *
 * It binds the Extism kernel functions a plugin needs (input, output, errors,
 * configuration, memory blocks) and the wsbx host functions, and offers a few
 * helpers for the small JSON messages of the ABI (see plugins/ABI.md):
 * reading one string field of the input, and writing escaped JSON strings.
 * It has no JSON parser beyond that; bring one (for example cJSON) for
 * anything richer.
 *
 * Build a plugin:
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor -o p.wasm p.c
 * (WSBX_EXPORT marks the exports.)
 *
 * Header-only: define WSBX_PLUGIN_IMPLEMENTATION in exactly one .c file
 * before including it (all examples are one file, so they do).
 */
#ifndef WSBX_PLUGIN_H
#define WSBX_PLUGIN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WSBX_ABI_VERSION 1

#define WSBX_IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define WSBX_EXPORT(name) __attribute__((export_name(name)))

typedef uint64_t wsbx_block; /* an Extism memory block offset */

/* Extism kernel (module "extism:host/env"). */
WSBX_IMPORT("extism:host/env", "input_length") uint64_t extism_input_length(void);
WSBX_IMPORT("extism:host/env", "input_load_u8") uint8_t extism_input_load_u8(uint64_t);
WSBX_IMPORT("extism:host/env", "input_load_u64") uint64_t extism_input_load_u64(uint64_t);
WSBX_IMPORT("extism:host/env", "load_u64") uint64_t extism_load_u64(uint64_t);
WSBX_IMPORT("extism:host/env", "store_u64") void extism_store_u64(uint64_t, uint64_t);
WSBX_IMPORT("extism:host/env", "alloc") wsbx_block extism_alloc(uint64_t);
WSBX_IMPORT("extism:host/env", "free") void extism_free(wsbx_block);
WSBX_IMPORT("extism:host/env", "length") uint64_t extism_length(wsbx_block);
WSBX_IMPORT("extism:host/env", "load_u8") uint8_t extism_load_u8(uint64_t);
WSBX_IMPORT("extism:host/env", "store_u8") void extism_store_u8(uint64_t, uint8_t);
WSBX_IMPORT("extism:host/env", "output_set") void extism_output_set(wsbx_block, uint64_t);
WSBX_IMPORT("extism:host/env", "error_set") void extism_error_set(wsbx_block);
WSBX_IMPORT("extism:host/env", "config_get") wsbx_block extism_config_get(wsbx_block);
WSBX_IMPORT("extism:host/env", "http_request") wsbx_block extism_http_request(wsbx_block, wsbx_block);

/* wsbx host functions (module "extism:host/user"). */
WSBX_IMPORT("extism:host/user", "wsbx_log") wsbx_block wsbx_host_log(wsbx_block);
WSBX_IMPORT("extism:host/user", "wsbx_fs_write") wsbx_block wsbx_host_fs_write(wsbx_block);
WSBX_IMPORT("extism:host/user", "wsbx_fs_mkdir") wsbx_block wsbx_host_fs_mkdir(wsbx_block);
WSBX_IMPORT("extism:host/user", "wsbx_fs_read") wsbx_block wsbx_host_fs_read(wsbx_block);

/* A growable byte buffer. */
typedef struct {
	char *data;
	size_t len, cap;
} wsbx_buf;

void wsbx_buf_append(wsbx_buf *b, const char *s, size_t n);
void wsbx_buf_puts(wsbx_buf *b, const char *s);
/* wsbx_buf_json_string appends s as a quoted, escaped JSON string. */
void wsbx_buf_json_string(wsbx_buf *b, const char *s);
void wsbx_buf_free(wsbx_buf *b);

/* wsbx_block_from copies n bytes into a new memory block. */
wsbx_block wsbx_block_from(const char *s, size_t n);
/* wsbx_block_string copies a block into a NUL-terminated string (caller frees). */
char *wsbx_block_string(wsbx_block blk);
/* wsbx_input returns the call's input as a NUL-terminated string (caller frees). */
char *wsbx_input(size_t *len);
/* wsbx_json_string_field returns the value of the top-level string field
 * `key` of a JSON object, unescaped (caller frees), or NULL. */
char *wsbx_json_string_field(const char *json, const char *key);
/* wsbx_config returns the plugin's JSON configuration (caller frees), or NULL. */
char *wsbx_config(void);

/* wsbx_output sets the call's output. */
void wsbx_output(const char *data, size_t n);
/* wsbx_fail sets the call's error text and returns the status to return. */
int32_t wsbx_fail(const char *message);
/* wsbx_describe_output answers wsbx_describe. */
int32_t wsbx_describe_output(const char *kind, const char *name, const char *version);
/* wsbx_decision answers check. */
int32_t wsbx_decision(int allow, const char *reason);
/* wsbx_log logs a message through the host. */
void wsbx_log(const char *level, const char *message);

#ifdef WSBX_PLUGIN_IMPLEMENTATION

void wsbx_buf_append(wsbx_buf *b, const char *s, size_t n) {
	if (b->len + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap * 2 : 64;
		while (c < b->len + n + 1) c *= 2;
		b->data = realloc(b->data, c);
		b->cap = c;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

void wsbx_buf_puts(wsbx_buf *b, const char *s) { wsbx_buf_append(b, s, strlen(s)); }

void wsbx_buf_json_string(wsbx_buf *b, const char *s) {
	static const char hex[] = "0123456789abcdef";
	wsbx_buf_append(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			wsbx_buf_append(b, e, 2);
		} else if (c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			wsbx_buf_append(b, e, 6);
		} else {
			wsbx_buf_append(b, (const char *)&c, 1);
		}
	}
	wsbx_buf_append(b, "\"", 1);
}

void wsbx_buf_free(wsbx_buf *b) {
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Memory moves eight bytes per kernel call: the u64 functions are served by
 * the host directly, while each u8 call is a round trip into the kernel. */
static void wsbx_store(wsbx_block dst, const char *s, size_t n) {
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		extism_store_u64(dst + i, v);
	}
	for (; i < n; i++) extism_store_u8(dst + i, (uint8_t)s[i]);
}

static void wsbx_load(char *dst, wsbx_block src, size_t n, int input) {
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v = input ? extism_input_load_u64(i) : extism_load_u64(src + i);
		memcpy(dst + i, &v, 8);
	}
	for (; i < n; i++) dst[i] = (char)(input ? extism_input_load_u8(i) : extism_load_u8(src + i));
}

wsbx_block wsbx_block_from(const char *s, size_t n) {
	wsbx_block blk = extism_alloc(n);
	wsbx_store(blk, s, n);
	return blk;
}

char *wsbx_block_string(wsbx_block blk) {
	if (!blk) return NULL;
	uint64_t n = extism_length(blk);
	char *s = malloc(n + 1);
	wsbx_load(s, blk, n, 0);
	s[n] = 0;
	return s;
}

char *wsbx_input(size_t *len) {
	uint64_t n = extism_input_length();
	char *s = malloc(n + 1);
	wsbx_load(s, 0, n, 1);
	s[n] = 0;
	if (len) *len = n;
	return s;
}

char *wsbx_json_string_field(const char *json, const char *key) {
	size_t klen = strlen(key);
	int depth = 0;
	for (const char *p = json; *p; p++) {
		if (*p == '{' || *p == '[') { depth++; continue; }
		if (*p == '}' || *p == ']') { depth--; continue; }
		if (*p != '"') continue;
		/* a string: a key when followed by ':' at depth 1 */
		const char *start = p + 1;
		const char *q = start;
		while (*q && *q != '"') q += (*q == '\\' && q[1]) ? 2 : 1;
		if (!*q) return NULL;
		const char *after = q + 1;
		while (*after == ' ' || *after == '\t' || *after == '\n' || *after == '\r') after++;
		int is_key = *after == ':';
		if (depth == 1 && is_key && (size_t)(q - start) == klen && memcmp(start, key, klen) == 0) {
			const char *v = after + 1;
			while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') v++;
			if (*v != '"') return NULL;
			wsbx_buf out = {0};
			wsbx_buf_append(&out, "", 0);
			for (v++; *v && *v != '"'; v++) {
				char c = *v;
				if (c == '\\' && v[1]) {
					v++;
					switch (*v) {
					case 'n': c = '\n'; break;
					case 't': c = '\t'; break;
					case 'r': c = '\r'; break;
					case 'b': c = '\b'; break;
					case 'f': c = '\f'; break;
					case 'u': c = '?'; v += (v[1] && v[2] && v[3] && v[4]) ? 4 : 0; break;
					default: c = *v;
					}
				}
				wsbx_buf_append(&out, &c, 1);
			}
			return out.data;
		}
		p = q;
	}
	return NULL;
}

char *wsbx_config(void) {
	static const char key[] = "wsbx_config";
	wsbx_block k = wsbx_block_from(key, sizeof key - 1);
	wsbx_block v = extism_config_get(k);
	extism_free(k);
	char *s = wsbx_block_string(v);
	if (v) extism_free(v);
	return s;
}

void wsbx_output(const char *data, size_t n) {
	wsbx_block blk = wsbx_block_from(data, n);
	extism_output_set(blk, n);
}

int32_t wsbx_fail(const char *message) {
	extism_error_set(wsbx_block_from(message, strlen(message)));
	return 1;
}

int32_t wsbx_describe_output(const char *kind, const char *name, const char *version) {
	wsbx_buf b = {0};
	wsbx_buf_puts(&b, "{\"abi\":1,\"kind\":");
	wsbx_buf_json_string(&b, kind);
	wsbx_buf_puts(&b, ",\"name\":");
	wsbx_buf_json_string(&b, name);
	wsbx_buf_puts(&b, ",\"version\":");
	wsbx_buf_json_string(&b, version);
	wsbx_buf_puts(&b, "}");
	wsbx_output(b.data, b.len);
	wsbx_buf_free(&b);
	return 0;
}

int32_t wsbx_decision(int allow, const char *reason) {
	wsbx_buf b = {0};
	wsbx_buf_puts(&b, allow ? "{\"allow\":true" : "{\"allow\":false");
	if (reason) {
		wsbx_buf_puts(&b, ",\"reason\":");
		wsbx_buf_json_string(&b, reason);
	}
	wsbx_buf_puts(&b, "}");
	wsbx_output(b.data, b.len);
	wsbx_buf_free(&b);
	return 0;
}

void wsbx_log(const char *level, const char *message) {
	wsbx_buf b = {0};
	wsbx_buf_puts(&b, "{\"level\":");
	wsbx_buf_json_string(&b, level);
	wsbx_buf_puts(&b, ",\"message\":");
	wsbx_buf_json_string(&b, message);
	wsbx_buf_puts(&b, "}");
	wsbx_block req = wsbx_block_from(b.data, b.len);
	wsbx_block resp = wsbx_host_log(req);
	extism_free(req);
	if (resp) extism_free(resp);
	wsbx_buf_free(&b);
}

#endif /* WSBX_PLUGIN_IMPLEMENTATION */
#endif /* WSBX_PLUGIN_H */
