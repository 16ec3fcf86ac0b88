// wsbx plug-in kit for AssemblyScript: the Extism kernel functions a plugin
// needs, the wsbx host functions, and helpers for the ABI's small JSON
// messages (see plugins/ABI.md). Build with build.sh, which passes
// `--use abort=assembly/wsbx/abort` so an AssemblyScript abort becomes the
// call's error instead of a missing import.

// Extism kernel ("extism:host/env").
@external("extism:host/env", "input_length") declare function input_length(): u64;
@external("extism:host/env", "input_load_u8") declare function input_load_u8(offset: u64): u8;
@external("extism:host/env", "alloc") declare function extism_alloc(n: u64): u64;
@external("extism:host/env", "free") declare function extism_free(offset: u64): void;
@external("extism:host/env", "length") declare function extism_length(offset: u64): u64;
@external("extism:host/env", "load_u8") declare function load_u8(offset: u64): u8;
@external("extism:host/env", "store_u8") declare function store_u8(offset: u64, v: u8): void;
@external("extism:host/env", "input_load_u64") declare function input_load_u64(offset: u64): u64;
@external("extism:host/env", "load_u64") declare function load_u64(offset: u64): u64;
@external("extism:host/env", "store_u64") declare function store_u64(offset: u64, v: u64): void;
@external("extism:host/env", "output_set") declare function output_set(offset: u64, n: u64): void;
@external("extism:host/env", "error_set") declare function error_set(offset: u64): void;
@external("extism:host/env", "config_get") declare function config_get(offset: u64): u64;

// wsbx host functions ("extism:host/user").
@external("extism:host/user", "wsbx_log") declare function wsbx_log(req: u64): u64;

export const ABI_VERSION = 1;

// Memory moves eight bytes per kernel call: the u64 functions are served by
// the host directly, while each u8 call is a round trip into the kernel.
function toBlock(s: string): u64 {
  const buf = String.UTF8.encode(s);
  const n = buf.byteLength;
  const p = changetype<usize>(buf);
  const blk = extism_alloc(<u64>n);
  let i = 0;
  for (; i + 8 <= n; i += 8) store_u64(blk + <u64>i, load<u64>(p + <usize>i));
  for (; i < n; i++) store_u8(blk + <u64>i, load<u8>(p + <usize>i));
  return blk;
}

function readBytes(n: i32, at: u64, input: bool): ArrayBuffer {
  const buf = new ArrayBuffer(n);
  const p = changetype<usize>(buf);
  let i = 0;
  for (; i + 8 <= n; i += 8) store<u64>(p + <usize>i, input ? input_load_u64(<u64>i) : load_u64(at + <u64>i));
  for (; i < n; i++) store<u8>(p + <usize>i, input ? input_load_u8(<u64>i) : load_u8(at + <u64>i));
  return buf;
}

function fromBlock(blk: u64): string {
  return String.UTF8.decode(readBytes(<i32>extism_length(blk), blk, false));
}

/** input returns the call's input as a string. */
export function input(): string {
  return String.UTF8.decode(readBytes(<i32>input_length(), 0, true));
}

/** output sets the call's output. */
export function output(s: string): void {
  const blk = toBlock(s);
  output_set(blk, extism_length(blk));
}

/** fail sets the call's error and returns the status to return. */
export function fail(message: string): i32 {
  error_set(toBlock(message));
  return 1;
}

/** config returns the plugin's JSON configuration, or "" when it has none. */
export function config(): string {
  const k = toBlock("wsbx_config");
  const v = config_get(k);
  extism_free(k);
  if (v == 0) return "";
  const s = fromBlock(v);
  extism_free(v);
  return s;
}

/** jsonString quotes and escapes s as a JSON string. */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/**
 * stringField returns the top-level string field `key` of a JSON object,
 * unescaped, or null. It is no general JSON parser.
 */
export function stringField(json: string, key: string): string | null {
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c == 0x7b || c == 0x5b) { depth++; continue; }
    if (c == 0x7d || c == 0x5d) { depth--; continue; }
    if (c != 0x22) continue;
    let j = i + 1;
    while (j < json.length && json.charCodeAt(j) != 0x22) j += json.charCodeAt(j) == 0x5c ? 2 : 1;
    const name = json.substring(i + 1, j);
    let k = j + 1;
    while (k < json.length && json.charCodeAt(k) <= 0x20) k++;
    if (k < json.length && json.charCodeAt(k) == 0x3a && depth == 1 && name == key) {
      k++;
      while (k < json.length && json.charCodeAt(k) <= 0x20) k++;
      if (k >= json.length || json.charCodeAt(k) != 0x22) return null;
      let v = "";
      for (k++; k < json.length && json.charCodeAt(k) != 0x22; k++) {
        let ch = json.charCodeAt(k);
        if (ch == 0x5c && k + 1 < json.length) {
          k++;
          ch = json.charCodeAt(k);
          if (ch == 0x6e) ch = 0x0a;
          else if (ch == 0x74) ch = 0x09;
          else if (ch == 0x72) ch = 0x0d;
        }
        v += String.fromCharCode(ch);
      }
      return v;
    }
    i = j;
  }
  return null;
}

/** stringArrayField returns the strings of the top-level array field `key`. */
export function stringArrayField(json: string, key: string): string[] {
  const out: string[] = [];
  const at = json.indexOf('"' + key + '"');
  if (at < 0) return out;
  let i = json.indexOf("[", at);
  const end = json.indexOf("]", at);
  if (i < 0 || end < 0) return out;
  while (true) {
    const q = json.indexOf('"', i + 1);
    if (q < 0 || q > end) break;
    const r = json.indexOf('"', q + 1);
    if (r < 0 || r > end) break;
    out.push(json.substring(q + 1, r));
    i = r;
  }
  return out;
}

/** describe answers wsbx_describe. */
export function describe(kind: string, name: string, version: string): i32 {
  output('{"abi":' + ABI_VERSION.toString() + ',"kind":' + jsonString(kind) +
    ',"name":' + jsonString(name) + ',"version":' + jsonString(version) + "}");
  return 0;
}

/** decision answers check. */
export function decision(allow: bool, reason: string): i32 {
  output('{"allow":' + (allow ? "true" : "false") + ',"reason":' + jsonString(reason) + "}");
  return 0;
}

/** log writes a message to the host's log. */
export function log(level: string, message: string): void {
  const req = toBlock('{"level":' + jsonString(level) + ',"message":' + jsonString(message) + "}");
  const resp = wsbx_log(req);
  extism_free(req);
  if (resp != 0) extism_free(resp);
}

/** abort turns an AssemblyScript abort into the call's error. */
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  fail("abort: " + (message ? message : "") + " at " + (file ? file : "") + ":" + line.toString() + ":" + column.toString());
  unreachable();
}
