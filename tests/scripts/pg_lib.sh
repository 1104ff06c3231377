# pg_lib.sh - a throwaway PostgreSQL server for the store tests (sourced
# after lib.sh; not a suite itself).
#
#   pg_have            true when the server binaries are here (else PG_WHY says why)
#   pg_start           initdb into a new temporary directory and start the server;
#                      sets PG_DIR, PG_URL (postgresql:///botlens?host=PG_DIR&user=botlens)
#   pg_stop            stop the server and remove its directory (also at exit,
#                      after killing the clients listed in PG_PIDS)
#   pg_restart         stop (fast: connections are cut) and start again
#   pg_down / pg_up    the same in two steps
#   pg_sql SQL         run SQL with psql, unaligned rows, no header
#   pg_inputs DIR N MODEL   N distinct small job inputs in DIR (half synthetic
#                      captures, half text behavior reports) and a model for them
#
# The server listens only on a Unix socket in its own directory
# (listen_addresses = ''), so tests never collide with a real server or
# with each other.  PostgreSQL refuses to run as root: as root (CI) the
# server runs as the `postgres` user through runuser; otherwise as the
# caller.  Durability is off (fsync = off): the tests stop the server
# cleanly or kill clients, never the server, and are not about the disk.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_DIR=
PG_URL=

pg_have() {
	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
		PG_WHY="PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin; Debian package postgresql)"
		return 1
	fi
	if ! command -v psql >/dev/null 2>&1; then
		PG_WHY="psql not found (Debian package postgresql-client)"
		return 1
	fi
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		PG_WHY="running as root and there is no 'postgres' user to run the server as"
		return 1
	fi
	return 0
}

# pg_as CMD... - runs a server command as the server's user
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_up() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 start >/dev/null
}

pg_down() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null
}

pg_restart() {
	pg_down && pg_up
}

pg_start() {
	PG_DIR=$(mktemp -d /tmp/blpg.XXXXXX) || return 1
	chmod 755 "$PG_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U botlens -A trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 || {
		echo "initdb failed:"
		tail -5 "$PG_DIR/initdb.log"
		return 1
	}
	cat >>"$PG_DIR/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$PG_DIR'
fsync = off
full_page_writes = off
max_connections = 100
shared_buffers = 64MB
EOF
	pg_up || {
		echo "the server did not start:"
		tail -5 "$PG_DIR/log"
		return 1
	}
	trap 'pg_kill_pids; pg_stop; rm -rf "$TMP"' EXIT
	trap 'exit 130' INT TERM
	PG_URL="postgresql:///botlens?host=$PG_DIR&user=botlens"
	psql -q -h "$PG_DIR" -U botlens -d postgres -c 'CREATE DATABASE botlens' >/dev/null
}

# PG_PIDS: clients a script started in the background (workers); killed at
# exit so that none outlives the server, whatever ended the script
PG_PIDS=
pg_kill_pids() {
	[ -n "$PG_PIDS" ] && kill -9 $PG_PIDS 2>/dev/null
	return 0
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	pg_down 2>/dev/null
	rm -rf "$PG_DIR"
	PG_DIR=
}

pg_sql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$PG_URL" -c "$1"
}

# pg_inputs DIR N MODEL: tiny synthetic captures (storm-private and
# benign-browsing alternately, 8 s, a seed each) and text behavior reports
# of 5 families (an operation per line, a unique last line), N files in
# all; MODEL is learnt from 40 other reports of the same families.
pg_inputs() {
	mkdir -p "$1" "$1.truth" "$1.train"
	_n=$(($2 / 2))
	_i=0
	while [ $_i -lt $_n ]; do
		_sc=storm-private
		[ $((_i % 2)) -eq 1 ] && _sc=benign-browsing
		"$BOTLENS" synth -s $_sc --seed $((_i + 1)) --duration 8 -o "$1/cap$_i.pcap" \
			--truth "$1.truth/$_i.json" || return 1
		_i=$((_i + 1))
	done
	pg_reports "$1" $(($2 - _n)) 11
	pg_reports "$1.train" 40 11
	"$BOTLENS" learn "$1.train" -o "$3" >/dev/null 2>&1
}

pg_reports() {  # DIR COUNT SEED
	awk -v dir="$1" -v count="$2" -v seed="$3" 'BEGIN {
		srand(seed)
		for (f = 0; f < 5; f++) for (m = 0; m < 4; m++) { len[f, m] = 3 + int(rand() * 3)
			for (k = 0; k < len[f, m]; k++) mot[f, m, k] = "Op" int(rand() * 20) ".fam" f }
		for (r = 0; r < count; r++) {
			f = r % 5
			out = dir "/rep" r ".fam" f
			for (e = 0; e < 40; ) {
				if (rand() < 0.3) { print "Common" int(rand() * 30) > out; e++; continue }
				m = int(rand() * 4)
				for (k = 0; k < len[f, m]; k++) { print mot[f, m, k] > out; e++ }
			}
			print "Unique" r " " seed > out
			close(out)
		}
	}'
}
