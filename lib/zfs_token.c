/* Resume tokens decoded by zeit itself. A token comes from the receiving
 * side, which may be hostile, and `zfs send -nvt` prints its contents as
 * text in which a name holding a newline can forge a line; so the token
 * is read here: "1-<fletcher4>-<packed length>-<hex of zlib data>", the
 * data an nvlist in the kernel's native encoding. Only what replication
 * decides on is kept; unknown pairs are skipped by their sizes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "zeit/zfs.h"

enum { NV_TYPE_BOOLEAN = 1, NV_TYPE_UINT64 = 8, NV_TYPE_STRING = 9 };
/* zfs refuses larger tokens' payloads too (ZFS_MAXPROPLEN). */
#define TOKEN_PACKED_MAX (64 * 1024)

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A lowercase hex number of at most 16 digits followed by '-'. */
static const char *hex_field(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;
	for (; hexval(s[n]) >= 0; n++) {
		if (n == 16)
			return NULL;
		v = v << 4 | (uint64_t)hexval(s[n]);
	}
	if (n == 0 || s[n] != '-')
		return NULL;
	*out = v;
	return s + n + 1;
}

static uint32_t get32(const unsigned char *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	                       (uint32_t)p[2] << 8 | p[3]
	           : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	                       (uint32_t)p[1] << 8 | p[0];
}

static uint16_t get16(const unsigned char *p, bool big)
{
	return big ? (uint16_t)(p[0] << 8 | p[1])
	           : (uint16_t)(p[1] << 8 | p[0]);
}

static uint64_t get64(const unsigned char *p, bool big)
{
	uint64_t lo = get32(p, big), hi = get32(p + 4, big);
	return big ? lo << 32 | hi : hi << 32 | lo;
}

/* fletcher4's first word over whole 32-bit words, as libzfs checks it. */
static bool checksum_ok(const unsigned char *d, size_t len, uint64_t want)
{
	for (int big = 0; big < 2; big++) {
		uint64_t a = 0;
		for (size_t i = 0; i + 4 <= len; i += 4)
			a += get32(d + i, big);
		if (a == want)
			return true;
	}
	return false;
}

static int bad(struct zeit *z, const char *why)
{
	return zeit_fail(z, EPROTO, "resume token is corrupt: %s", why);
}

/* The value of key k (an index in read_pairs' keys; -1: not one of
 * them) into out, its type checked. */
static int take_value(struct zeit *z, int k, uint32_t type, uint32_t nelem,
                      const unsigned char *v, size_t vlen, bool big,
                      struct zfs_resume_token *out)
{
	if (k == 0) {
		if (type != NV_TYPE_STRING || nelem != 1 || !memchr(v, 0, vlen))
			return bad(z, "toname is not a string");
		size_t sl = strlen((const char *)v);
		if (sl >= sizeof(out->toname))
			return bad(z, "toname is too long");
		memcpy(out->toname, v, sl + 1);
	} else if (k >= 1 && k <= 3) {
		if (type != NV_TYPE_UINT64 || nelem != 1 || vlen < 8)
			return bad(z, "a number is not a number");
		uint64_t x = get64(v, big);
		if (k == 1)
			out->toguid = x;
		else if (k == 2)
			out->fromguid = x, out->incremental = true;
		else
			out->bytes = x;
	} else if (k >= 4 && k <= 7) {
		if (type != NV_TYPE_BOOLEAN)
			return bad(z, "a flag is not a flag");
		if (k == 4)
			out->raw = true;
		else if (k == 5)
			out->compressed = true;
		else if (k == 6)
			out->embedded = true;
		else
			out->large_blocks = true;
	} else if (k == 8) {
		out->redacted = true;
	}
	return 0;
}

/* Walks the pairs of a native packed nvlist. */
static int read_pairs(struct zeit *z, const unsigned char *d, size_t len,
                      struct zfs_resume_token *out)
{
	if (len < 12 || d[0] != 0 || d[1] > 1)
		return bad(z, "not a native nvlist");
	bool big = d[1] == 0;
	unsigned seen = 0;
	size_t off = 12; /* encoding header, version, flags */

	for (;;) {
		if (off + 4 > len)
			return bad(z, "truncated");
		uint32_t size = get32(d + off, big);
		if (size == 0)
			break;
		if (size < 16 || size % 8 || size > len - off)
			return bad(z, "a pair's size is wrong");
		const unsigned char *p = d + off;
		uint16_t name_sz = get16(p + 4, big);
		uint32_t nelem = get32(p + 8, big);
		uint32_t type = get32(p + 12, big);
		size_t vo = 16 + (((size_t)name_sz + 7) & ~(size_t)7);
		if (name_sz < 2 || vo > size || p[16 + name_sz - 1] != 0 ||
		    memchr(p + 16, 0, name_sz - 1))
			return bad(z, "a pair's name is wrong");
		const char *name = (const char *)p + 16;
		const unsigned char *v = p + vo;
		size_t vlen = size - vo;
		static const char *const keys[] = {
		        "toname",  "toguid",       "fromguid",
		        "bytes",   "rawok",        "compressok",
		        "embedok", "largeblockok", "redact_snaps"};
		int k = -1;
		for (int i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])); i++)
			if (!strcmp(name, keys[i]))
				k = i;
		if (k >= 0) {
			if (seen & 1u << k)
				return bad(z, "a key appears twice");
			seen |= 1u << k;
		}
		if (take_value(z, k, type, nelem, v, vlen, big, out) < 0)
			return -1;
		off += size;
	}
	if (!(seen & 1u) || !(seen & 2u))
		return bad(z, "no toname or toguid");
	if (zfs_name_check(z, out->toname, ZFS_NAME_SNAPSHOT) < 0)
		return zeit_fail_ctx(z, "resume token names no snapshot: ");
	return 0;
}

int zfs_resume_token_decode(struct zeit *z, const char *token,
                            struct zfs_resume_token *out)
{
	uint64_t version, cksum, packed_len;
	const char *p;

	memset(out, 0, sizeof(*out));
	if (!(p = hex_field(token, &version)) || version != 1 ||
	    !(p = hex_field(p, &cksum)) || !(p = hex_field(p, &packed_len)))
		return bad(z, "not 1-<checksum>-<length>-<data>");
	size_t hl = strlen(p);
	if (hl == 0 || hl % 2 || hl / 2 > TOKEN_PACKED_MAX || packed_len == 0 ||
	    packed_len > TOKEN_PACKED_MAX)
		return bad(z, "its data has the wrong size");
	size_t clen = hl / 2;
	unsigned char *comp = xmalloc(clen);
	for (size_t i = 0; i < clen; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(comp);
			return bad(z, "its data is not hex");
		}
		comp[i] = (unsigned char)(hi << 4 | lo);
	}
	int rc;
	if (!checksum_ok(comp, clen, cksum)) {
		rc = bad(z, "checksum mismatch");
	} else {
		unsigned char *packed = xmalloc(packed_len);
		uLongf got = (uLongf)packed_len;
		if (uncompress(packed, &got, comp, (uLong)clen) != Z_OK ||
		    got != packed_len)
			rc = bad(z, "its data does not inflate");
		else
			rc = read_pairs(z, packed, got, out);
		free(packed);
	}
	free(comp);
	return rc;
}
