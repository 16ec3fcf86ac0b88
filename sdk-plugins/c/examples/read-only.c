/*
 * read-only: a capability plugin that makes a session read-only. It denies
 * every write and, unless its configuration says {"network": true}, every
 * network use; exec and read are allowed.
 */
#define WSBX_PLUGIN_IMPLEMENTATION
#include "../wsbx_plugin.h"

WSBX_EXPORT("wsbx_describe") int32_t describe(void) {
	return wsbx_describe_output("capability", "read-only", "0.1.0");
}

WSBX_EXPORT("check") int32_t check(void) {
	char *in = wsbx_input(NULL);
	char *op = wsbx_json_string_field(in, "op");
	int32_t rc;
	if (!op) {
		rc = wsbx_fail("check: input has no \"op\"");
	} else if (strcmp(op, "write") == 0) {
		rc = wsbx_decision(0, "the workspace is read-only");
	} else if (strcmp(op, "network") == 0) {
		char *cfg = wsbx_config();
		int allowed = cfg && strstr(cfg, "\"network\":true") != NULL;
		free(cfg);
		rc = allowed ? wsbx_decision(1, NULL) : wsbx_decision(0, "network is off for read-only sessions");
	} else {
		rc = wsbx_decision(1, NULL);
	}
	free(op);
	free(in);
	return rc;
}
