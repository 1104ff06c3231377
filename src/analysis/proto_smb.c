/*
 * proto_smb.c - SMB over NetBIOS session service (TCP 445/139): SMBv1
 * commands ([MS-CIFS] 2.2.3.1) and SMB2's magic.  Facts kept: Trans2
 * (0x32, DoublePulsar's channel: SESSION_SETUP subcommand 0x0e) and
 * NT Trans (0xa0) with a large total parameter/data count, EternalBlue's
 * overflow vehicle (with Trans2 Secondary 0x33 following).
 *
 * A SESSION_SETUP answered with a logon failure (STATUS_LOGON_FAILURE,
 * WRONG_PASSWORD, NO_SUCH_USER, ACCOUNT_LOCKED_OUT), in SMB1 or SMB2, is
 * a refused login for beh_brute.c (rp_auth_fail).
 *
 *   NBSS: type(1)=0 length(3)
 *   SMB1: 0xFF 'S' 'M' 'B' command(1) status(4) flags(1) flags2(2) ...
 *         (32-byte header) word_count(1) words(2*wc) byte_count(2) bytes
 *   SMB2: 0xFE 'S' 'M' 'B' structure_size(2) credit_charge(2) status(4)
 *         command(2) ...  (SESSION_SETUP = 1) [MS-SMB2] 2.2.1
 */
#include "analysis/report-int.h"
#include "util/rd.h"

static bool logon_failure(uint32_t status)
{
	return status == 0xC000006Du || status == 0xC000006Au || status == 0xC0000064u || status == 0xC0000234u;
}

static bool smb_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6 || (rf->dport != 445 && rf->dport != 139))
		return false;
	struct rd r;
	uint8_t type, magic[4], cmd;
	rd_init(&r, s->p, s->n);
	if (!rd_u8(&r, &type) || !rd_skip(&r, 3) || !rd_copy(&r, magic, 4))
		return rf->app == RP_APP_SMB;
	if (type != 0 || magic[1] != 'S' || magic[2] != 'M' || magic[3] != 'B' ||
	    (magic[0] != 0xFF && magic[0] != 0xFE))
		return rf->app == RP_APP_SMB;
	if (magic[0] == 0xFE) {   /* SMB2: a refused SESSION_SETUP */
		uint32_t status;
		uint16_t cmd2;
		if (s->dir == 1 && rd_skip(&r, 4) && rd_le32(&r, &status) && rd_le16(&r, &cmd2) && cmd2 == 1 &&
		    logon_failure(status))
			rp_auth_fail(rf);
		return true;
	}
	if (!rd_u8(&r, &cmd))
		return true;
	if (s->dir == 1 && cmd == 0x73) {
		struct rd st = r;
		uint32_t status;
		if (rd_le32(&st, &status) && logon_failure(status))
			rp_auth_fail(rf);
	}
	static const char *const names[256] = {
		[0x72] = "negotiate", [0x73] = "session_setup", [0x75] = "tree_connect",
		[0x25] = "trans", [0x32] = "trans2", [0x33] = "trans2_secondary", [0xa0] = "nt_trans",
		[0xa2] = "nt_create", [0x2e] = "read", [0x2f] = "write",
	};
	if (s->dir == 0 && names[cmd])
		rp_ev_add(c, rf->h[0], EV_SMB_CMD, (const uint8_t *)names[cmd], __builtin_strlen(names[cmd]));
	if (cmd == 0x32 && s->dir == 0)
		rf->facts |= RPF_SMB_TRANS2;
	if (cmd == 0xa0 && s->dir == 0) {
		uint8_t wc;
		uint32_t tparam, tdata;
		/* rest of the 32-byte header: 27 bytes; then WordCount, MaxSetup, Reserved(2), totals */
		if (rd_skip(&r, 27) && rd_u8(&r, &wc) && rd_skip(&r, 3) && rd_le32(&r, &tparam) &&
		    rd_le32(&r, &tdata) && (uint64_t)tparam + tdata > 4096)
			rf->facts |= RPF_SMB_NTTRANS;
	}
	return true;
}

const struct rp_proto proto_smb = { .name = "smb", .app = RP_APP_SMB, .max_pkts = 40, .inspect = smb_inspect };
