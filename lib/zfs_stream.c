/* What a send stream says about itself in its first records, and the
 * receive options that keep a stream from a host that may be hostile
 * inert. A stream carries properties only in the payload of a compound
 * stream's first record (zfs send -p or -R); everything else it says is
 * data. See zeit/zfs.h. */
#include <errno.h>
#include <string.h>

#include "zeit/zfs.h"

#define DMU_BACKUP_MAGIC 0x2F5bacbacULL
enum {
	DRR_BEGIN = 0,
	DRR_END = 5,
	HDR_SUBSTREAM = 1, /* DMU_GET_STREAM_HDRTYPE */
	HDR_COMPOUND = 2,
	OST_ZFS = 2, /* dmu_objset_type_t */
	OST_ZVOL = 3,
};

static uint64_t rd64(const unsigned char *p, bool big)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[big ? 7 - i : i] << (8 * i);
	return v;
}

static uint32_t rd32(const unsigned char *p, bool big)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[big ? 3 - i : i] << (8 * i);
	return v;
}

/* The byte order the stream was written in (a BEGIN record's magic). */
static bool big_endian(const unsigned char *rec)
{
	return rd64(rec + 8, true) == DMU_BACKUP_MAGIC;
}

size_t zfs_stream_head_len(const unsigned char *rec)
{
	bool big = big_endian(rec);
	bool package = (rd64(rec + 16, big) & 3) == HDR_COMPOUND &&
	               rd32(rec + 4, big) == 0;
	return package ? 3 * ZFS_STREAM_RECORD : ZFS_STREAM_RECORD;
}

int zfs_stream_head_parse(struct zeit *z, const unsigned char *rec, size_t len,
                          struct zfs_stream_head *out)
{
	memset(out, 0, sizeof(*out));
	if (len < ZFS_STREAM_RECORD)
		return zeit_fail(z, EPROTO,
		                 "not a zfs send stream: it is "
		                 "shorter than its first record");
	bool big = big_endian(rec);
	if (!big && rd64(rec + 8, false) != DMU_BACKUP_MAGIC)
		return zeit_fail(z, EPROTO,
		                 "not a zfs send stream (no stream magic)");
	if (rd32(rec, big) != DRR_BEGIN)
		return zeit_fail(z, EPROTO,
		                 "a zfs send stream starts with a "
		                 "BEGIN record; this one does not");
	uint64_t hdrtype = rd64(rec + 16, big) & 3;
	uint32_t ost = rd32(rec + 32, big);
	memcpy(out->toname, rec + 56, 256);
	out->toname[256] = 0;
	if (hdrtype == HDR_COMPOUND) {
		/* Properties travel in the payload (an nvlist); a package of
		 * -I snapshots has none, and its first substream begins after
		 * an END record. */
		if (rd32(rec + 4, big) != 0) {
			out->props = true;
			return 0;
		}
		const unsigned char *sub = rec + 2 * ZFS_STREAM_RECORD;
		if (len < 3 * ZFS_STREAM_RECORD ||
		    rd32(rec + ZFS_STREAM_RECORD, big) != DRR_END)
			return zeit_fail(z, EPROTO,
			                 "a package stream without its first "
			                 "substream");
		struct zfs_stream_head s;
		if (zfs_stream_head_parse(z, sub, ZFS_STREAM_RECORD, &s) < 0)
			return -1;
		if ((rd64(sub + 16, big_endian(sub)) & 3) != HDR_SUBSTREAM)
			return zeit_fail(z, EPROTO,
			                 "a package inside a package");
		*out = s;
		return 0;
	}
	if (hdrtype != HDR_SUBSTREAM)
		return zeit_fail(z, EPROTO,
		                 "unknown zfs stream header type %llu",
		                 (unsigned long long)hdrtype);
	if (ost == OST_ZFS)
		out->volume = false;
	else if (ost == OST_ZVOL)
		out->volume = true;
	else
		return zeit_fail(z, EPROTO,
		                 "the stream is of objset type %u, neither a "
		                 "filesystem nor a volume",
		                 ost);
	return 0;
}

void zfs_recv_pins(bool volume, struct strv *argv)
{
	static const char *const fs[] = {
	        "-o", "canmount=noauto", "-o", "setuid=off",
	        "-o", "devices=off",     "-o", "exec=off",
	        "-x", "mountpoint",      "-x", "sharenfs",
	        "-x", "sharesmb",        NULL};
	static const char *const vol[] = {"-o", "volmode=none", NULL};
	strv_pushv(argv, volume ? vol : fs);
}
