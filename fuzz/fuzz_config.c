/* libFuzzer: the configuration file and the keep policies in it. Any
 * input loads or fails with a message, never crashes; every policy that
 * loads formats to a spec that reads back to the same policy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zeit/config.h"
#include "zeit/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(struct zeit *z, const struct policy *p)
{
	char spec[512];
	struct policy back;
	policy_format(p, spec, sizeof(spec));
	policy_default(&back);
	if (policy_apply_spec(z, &back, spec, "fuzz") < 0)
		abort();
	for (int t = 0; t < ZEIT_TIER_COUNT; t++)
		if (back.tier[t].n != p->tier[t].n ||
		    (p->tier[t].n && back.tier[t].kind != p->tier[t].kind))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const datasets[] = {"tank", "tank/a", "tank/a/b",
	                                       "rpool/ROOT/void", NULL};
	struct zeit z;
	struct zeit_config c;
	struct policy p;

	zeit_init(&z);
	/* The input as a file, as zeit reads one. */
	int fd = memfd_create("zeit.conf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_init(&c);
	if (config_load(&z, path, true, &c) == 0) {
		for (size_t i = 0; datasets[i]; i++) {
			(void)config_section_for(&c, datasets[i],
			                         CONFIG_WANT_SNAP);
			if (config_policy(&z, &c, datasets[i], NULL, &p) == 0)
				round_trip(&z, &p);
			zeit_clear_error(&z);
		}
	}
	config_free(&c);
	close(fd);

	/* The input as an org.zeit:keep value. */
	char *spec = strndup((const char *)data, size);
	policy_default(&p);
	if (policy_apply_spec(&z, &p, spec, "fuzz") == 0)
		round_trip(&z, &p);
	free(spec);
	return 0;
}
