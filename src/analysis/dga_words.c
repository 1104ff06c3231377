/*
 * dga_words.c - is a label a concatenation of common English words?  For
 * the word-list DGA rule (beh_dga.c): Suppobox, Matsnu, Gozi and their
 * kind draw two to four dictionary words and join them
 * ("heavenseveralmiddle"), so their names pass the machine-made test
 * (rp_dns_label_random: pronounceable, ordinary entropy) yet split
 * wholly into words, which random letters and most brands do not.
 *
 * The list: 847 common English words of 3 to 10 letters (basic nouns,
 * verbs, adjectives and adverbs of everyday prose; no brand, technical or
 * advertising vocabulary), sorted (strcmp order) for binary search.
 * Words shorter than 3 letters are left out: with "a", "an", "in", "to"
 * almost any string splits.  Data, not a list of any malware's words: a
 * family's own list overlaps it because it is drawn from the same
 * ordinary vocabulary.
 */
#include <string.h>

#include "analysis/report-int.h"

static const char *const words[] = {
	"able", "about", "above", "accept", "across", "act", "action", "add", "address", "after", "again",
	"against", "age", "agree", "ahead", "air", "all", "allow", "almost", "alone", "along", "already",
	"also", "always", "among", "amount", "and", "animal", "another", "answer", "any", "appear",
	"apple", "area", "arm", "army", "around", "arrive", "art", "ask", "attack", "away", "baby",
	"back", "bad", "bag", "ball", "bank", "bar", "base", "basket", "battle", "bear", "beat", "beauty",
	"because", "become", "bed", "before", "begin", "behind", "believe", "bell", "belong", "below",
	"best", "better", "between", "beyond", "big", "bird", "black", "blood", "blow", "blue", "board",
	"boat", "body", "bone", "book", "border", "born", "both", "bottom", "box", "boy", "brain",
	"branch", "bread", "break", "bright", "bring", "broad", "brother", "brown", "build", "burn",
	"business", "busy", "but", "buy", "call", "calm", "camp", "can", "capital", "captain", "car",
	"card", "care", "carry", "case", "cat", "catch", "cause", "cell", "center", "certain", "chair",
	"chance", "change", "charge", "chart", "check", "chief", "child", "choose", "church", "circle",
	"city", "claim", "class", "clean", "clear", "climb", "clock", "close", "cloud", "coast", "coat",
	"cold", "collect", "color", "come", "common", "company", "complete", "contain", "control", "cook",
	"cool", "copy", "corn", "corner", "cost", "cotton", "could", "count", "country", "course",
	"cover", "cow", "create", "cross", "crowd", "cry", "current", "cut", "dance", "danger", "dark",
	"daughter", "day", "dead", "deal", "dear", "death", "decide", "deep", "degree", "depend",
	"describe", "desert", "design", "detail", "develop", "die", "differ", "direct", "discover",
	"distant", "divide", "doctor", "does", "dog", "dollar", "door", "double", "down", "draw", "dream",
	"dress", "drink", "drive", "drop", "dry", "during", "duty", "each", "ear", "early", "earth",
	"east", "easy", "eat", "edge", "effect", "egg", "eight", "either", "electric", "element", "else",
	"end", "enemy", "energy", "engine", "enough", "enter", "equal", "even", "evening", "event",
	"ever", "every", "exact", "example", "except", "excite", "exercise", "expect", "experience",
	"eye", "face", "fact", "fair", "fall", "family", "famous", "far", "farm", "fast", "father",
	"fear", "feed", "feel", "fellow", "few", "field", "fight", "figure", "fill", "final", "find",
	"fine", "finger", "finish", "fire", "first", "fish", "five", "flat", "floor", "flow", "flower",
	"fly", "follow", "food", "foot", "force", "forest", "forget", "form", "forward", "found", "four",
	"free", "fresh", "friend", "from", "front", "fruit", "full", "game", "garden", "gas", "gate",
	"gather", "general", "gentle", "get", "gift", "girl", "give", "glad", "glass", "gold", "good",
	"govern", "grand", "grass", "gray", "great", "green", "ground", "group", "grow", "guess", "guide",
	"gun", "hair", "half", "hand", "happen", "happy", "hard", "have", "head", "health", "hear",
	"heart", "heat", "heaven", "heavy", "help", "here", "high", "hill", "him", "history", "hold",
	"hole", "home", "hope", "horse", "hot", "hotel", "hour", "house", "how", "huge", "human",
	"hundred", "hunt", "hurry", "husband", "ice", "idea", "important", "inch", "include", "industry",
	"inside", "instead", "interest", "iron", "island", "its", "job", "join", "joy", "judge", "jump",
	"just", "keep", "key", "kill", "kind", "king", "kitchen", "knew", "know", "lady", "lake", "land",
	"language", "large", "last", "late", "laugh", "law", "lay", "lead", "learn", "least", "leave",
	"left", "length", "less", "letter", "level", "lie", "life", "lift", "light", "like", "line",
	"liquid", "list", "listen", "little", "live", "long", "look", "lose", "loud", "love", "low",
	"machine", "main", "major", "make", "man", "many", "map", "mark", "market", "mass", "master",
	"match", "matter", "may", "mean", "measure", "meat", "meet", "member", "memory", "men", "metal",
	"method", "middle", "might", "mile", "milk", "million", "mind", "mine", "minute", "miss",
	"modern", "moment", "money", "month", "moon", "more", "morning", "most", "mother", "motion",
	"mountain", "mouth", "move", "much", "music", "must", "name", "nation", "nature", "near",
	"necessary", "neck", "need", "neighbor", "never", "new", "news", "next", "nice", "night", "nine",
	"noise", "north", "nose", "note", "nothing", "notice", "number", "object", "ocean", "offer",
	"office", "often", "oil", "old", "once", "one", "only", "open", "order", "other", "our", "out",
	"over", "own", "page", "pain", "paint", "pair", "paper", "parent", "part", "party", "pass",
	"past", "path", "pay", "peace", "people", "perhaps", "period", "person", "pick", "picture",
	"piece", "place", "plain", "plan", "plant", "play", "please", "plenty", "point", "poor",
	"popular", "position", "possible", "pound", "power", "present", "press", "pretty", "print",
	"probable", "problem", "produce", "product", "proper", "protect", "proud", "prove", "provide",
	"public", "pull", "push", "put", "quarter", "queen", "question", "quick", "quiet", "quite",
	"race", "radio", "rain", "raise", "reach", "read", "ready", "real", "reason", "receive", "record",
	"red", "region", "remember", "repeat", "reply", "rest", "result", "rich", "ride", "right", "ring",
	"rise", "river", "road", "rock", "roll", "room", "root", "rope", "rose", "round", "row", "rule",
	"run", "safe", "sail", "salt", "same", "sand", "save", "say", "school", "science", "score", "sea",
	"season", "seat", "second", "section", "see", "seed", "seem", "sell", "send", "sense", "sentence",
	"separate", "serve", "set", "settle", "seven", "several", "shall", "shape", "share", "sharp",
	"sheet", "shell", "shine", "ship", "shoe", "shop", "shore", "short", "should", "shoulder",
	"shout", "show", "side", "sight", "sign", "silent", "silver", "simple", "since", "sing", "single",
	"sister", "sit", "six", "size", "skill", "skin", "sky", "sleep", "slow", "small", "smell",
	"smile", "snow", "soft", "soil", "soldier", "solution", "some", "son", "song", "soon", "sound",
	"south", "space", "speak", "special", "speed", "spend", "spirit", "spoke", "spring", "square",
	"stand", "star", "start", "state", "station", "stay", "steam", "steel", "step", "stick", "still",
	"stone", "stop", "store", "story", "straight", "strange", "stream", "street", "strong", "student",
	"study", "subject", "such", "sudden", "sugar", "suggest", "summer", "sun", "supply", "support",
	"sure", "surface", "surprise", "sweet", "swim", "system", "table", "tail", "take", "talk", "tall",
	"teach", "team", "tell", "ten", "term", "test", "than", "thank", "that", "their", "then", "there",
	"these", "they", "thick", "thin", "thing", "think", "third", "this", "those", "though", "thought",
	"thousand", "three", "through", "throw", "thus", "tie", "time", "tiny", "today", "together",
	"told", "tone", "too", "top", "total", "touch", "toward", "town", "track", "trade", "train",
	"travel", "tree", "trip", "trouble", "true", "truth", "try", "turn", "twenty", "two", "type",
	"under", "unit", "until", "upon", "use", "usual", "valley", "value", "various", "very", "view",
	"village", "visit", "voice", "vote", "wait", "walk", "wall", "want", "war", "warm", "wash",
	"watch", "water", "wave", "way", "wear", "weather", "week", "weight", "well", "west", "what",
	"wheel", "when", "where", "which", "while", "white", "whole", "why", "wide", "wife", "wild",
	"will", "win", "wind", "window", "winter", "wire", "wish", "with", "woman", "wonder", "wood",
	"word", "work", "world", "would", "write", "wrong", "yard", "year", "yellow", "yes", "yet",
	"young", "your",
};

#define WORD_MIN 3
#define WORD_MAX 10

/* True when l[0..n) is one word of the list. */
static bool word_is(const char *l, size_t n)
{
	size_t lo = 0, hi = sizeof words / sizeof *words;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(words[mid], l, n);
		if (!c && words[mid][n])
			c = 1;   /* the list's word is longer: it sorts after */
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * The fewest words of the list that l[0..n) (lower-case letters) splits
 * into, each of WORD_MIN to WORD_MAX letters; 0 when it does not split or
 * needs more than max_words.  Dynamic programming over the prefixes:
 * best[i] = the fewest words making up l[0..i).
 */
unsigned rp_words_split(const char *l, size_t n, unsigned max_words)
{
	unsigned char best[64];
	if (n < WORD_MIN || n >= sizeof best)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (l[i] < 'a' || l[i] > 'z')
			return 0;
	memset(best, 0xff, sizeof best);
	best[0] = 0;
	for (size_t i = WORD_MIN; i <= n; i++)
		for (size_t k = WORD_MIN; k <= WORD_MAX && k <= i; k++)
			if (best[i - k] != 0xff && best[i - k] + 1 < best[i] && word_is(l + i - k, k))
				best[i] = (unsigned char)(best[i - k] + 1);
	return best[n] <= max_words ? best[n] : 0;
}
