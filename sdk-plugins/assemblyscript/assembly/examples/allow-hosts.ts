// allow-hosts: a capability plugin that allows network use only to the hosts
// in its configuration ({"hosts": ["pypi.org", "example.com"]}); every other
// operation is allowed.
import { config, decision, describe, fail, input, stringArrayField, stringField } from "../wsbx";

export function wsbx_describe(): i32 {
  return describe("capability", "allow-hosts", "0.1.0");
}

export function check(): i32 {
  const req = input();
  const op = stringField(req, "op");
  if (op == null) return fail("check: input has no \"op\"");
  if (op != "network") return decision(true, "");
  const subject = stringField(req, "subject");
  let host = subject == null ? "" : subject;
  const colon = host.lastIndexOf(":");
  if (colon > 0) host = host.substring(0, colon);
  const hosts = stringArrayField(config(), "hosts");
  for (let i = 0; i < hosts.length; i++) {
    if (hosts[i] == host) return decision(true, "");
  }
  return decision(false, "host " + host + " is not in the allow list");
}
