# zeek_cut.awk - a reader of Zeek's ASCII logs that is not botlens's: as
# zeek-cut, prints the columns named in -v cols="uid service" (in that
# order, tab-separated) from the #fields header; with -v check=1 it
# instead validates every row against #types (time, interval, addr, port,
# count, bool, enum, string, set[..], vector[..]; "-" unset) and prints the number of
# rows, exiting 1 on the first bad field, a wrong column count or a
# missing header line (#separator, #fields, #types, #close).
# Usage: awk -f zeek_cut.awk -v cols="ts uid" conn.log
#        awk -f zeek_cut.awk -v check=1 conn.log
BEGIN { FS = "\t"; bad = 0; rows = 0 }
/^#separator / { sep = $0; next }
/^#fields\t/ { nf = NF - 1; for (i = 2; i <= NF; i++) idx[$i] = i - 1; next }
/^#types\t/ { for (i = 2; i <= NF; i++) type[i - 1] = $i; ntypes = NF - 1; next }
/^#close\t/ { closed = 1; next }
/^#/ { next }
{
	rows++
	if (!check) {
		n = split(cols, want, " ")
		line = ""
		for (k = 1; k <= n; k++)
			line = line (k > 1 ? "\t" : "") (want[k] in idx ? $(idx[want[k]]) : "-")
		print line
		next
	}
	if (NF != nf) { print "row " rows ": " NF " fields, #fields has " nf > "/dev/stderr"; bad = 1; exit 1 }
	for (i = 1; i <= NF; i++) {
		v = $i; t = type[i]
		if (v == "-") continue
		ok = 1
		if (t == "time" || t == "interval") ok = v ~ /^-?[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]$/
		else if (t == "count" || t == "port") ok = v ~ /^[0-9]+$/
		else if (t == "bool") ok = v == "T" || v == "F"
		else if (t == "addr") ok = v ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ || v ~ /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/
		else if (t == "enum" || t == "string" || t ~ /^(set|vector)\[/) ok = length(v) > 0
		else ok = 0
		if (!ok) { print "row " rows ": field " i " '" v "' is not a " t > "/dev/stderr"; bad = 1; exit 1 }
	}
}
END {
	if (bad) exit 1
	if (sep != "#separator \\x09" || !nf || ntypes != nf || !closed) { print "header incomplete" > "/dev/stderr"; exit 1 }
	if (check) print rows
}
