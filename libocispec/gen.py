#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate libocispec's C types from the type table.

Usage: gen.py SPEC_TYPES OUTDIR

Reads SPEC_TYPES (the line format is described at the top of spec.types),
validates it and writes OUTDIR/oci_types.h (structs, map types, prototypes)
and OUTDIR/oci_types.c (one field-descriptor table per struct plus thin typed
wrappers around the generic engine in ocispec*.c).  Python 3 standard library
only; reads nothing but its arguments.
"""

import os
import re
import sys

INT_RANGE = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
SCALARS = {"string", "bool"} | set(INT_RANGE)
C_SCALAR = {
    "string": "char *",
    "bool": "bool ",
    "int32": "int32_t ",
    "int64": "int64_t ",
    "uint16": "uint16_t ",
    "uint32": "uint32_t ",
    "uint64": "uint64_t ",
}
KIND = {
    "string": "OCI_K_STRING",
    "bool": "OCI_K_BOOL",
    "int32": "OCI_K_INT32",
    "int64": "OCI_K_INT64",
    "uint16": "OCI_K_UINT16",
    "uint32": "OCI_K_UINT32",
    "uint64": "OCI_K_UINT64",
}
SHAPE = {"one": "OCI_S_ONE", "array": "OCI_S_ARRAY", "map": "OCI_S_MAP"}

# C keywords (C11 plus GNU spellings) and object-like macros that gcc/clang
# predefine in gnu11 or that common headers define: a member with one of
# these names gets a trailing underscore.
C_RESERVED = set(
    """auto break case char const continue default do double else enum extern
    float for goto if inline int long register restrict return short signed
    sizeof static struct switch typedef union unsigned void volatile while
    _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn
    _Static_assert _Thread_local asm typeof alignas alignof noreturn
    static_assert thread_local bool true false linux unix i386 errno stdin
    stdout stderr""".split()
)

# Names that the engine (ocispec.h) already uses.
ENGINE_NAMES = {
    "oci_string_map",
    "oci_string_map_get",
    "oci_string_map_free",
    "oci_read_file",
    "oci_kind",
    "oci_shape",
    "oci_field_desc",
    "oci_struct_desc",
    "oci_struct_free",
    "oci_struct_parse_data",
    "oci_struct_parse_file",
    "oci_struct_serialize",
}

MAX_FIELDS = 64  # the parser tracks presence in a uint64_t


class Field:
    def __init__(self, lineno, json):
        self.lineno = lineno
        self.json = json
        self.shape = "one"
        self.base = None  # scalar name or struct name
        self.struct = None  # the Struct when base is a struct
        self.required = False
        self.enums = None
        self.min = None
        self.max = None
        self.ranged = False
        self.cname = None


class Struct:
    def __init__(self, lineno, name, root):
        self.lineno = lineno
        self.name = name
        self.root = root
        self.fields = []
        self.used_in_map = False


class Table:
    def __init__(self, path):
        self.path = path
        self.errors = []
        self.structs = {}  # name -> Struct, in table order

    def error(self, lineno, msg):
        self.errors.append((lineno, "%s:%d: %s" % (self.path, lineno, msg)))


def snake_case(name):
    """ociVersion -> oci_version, classID -> class_id, disableOOMKiller ->
    disable_oom_killer, l3CacheSchema -> l3_cache_schema."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0:
            prev = name[i - 1]
            nxt = name[i + 1] if i + 1 < len(name) else ""
            if prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower()):
                out.append("_")
        out.append(ch.lower())
    return "".join(out)


IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
STRUCT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
INT_LIT = re.compile(r"^-?[0-9]+$")


def parse_type(t):
    """-> (shape, base) or raises ValueError."""
    shape = "one"
    if t.startswith("[]"):
        shape, t = "array", t[2:]
    elif t.startswith("map[") and t.endswith("]"):
        shape, t = "map", t[4:-1]
    if t.startswith("[]") or t.startswith("map["):
        raise ValueError("nested arrays and maps are not supported")
    if not t:
        raise ValueError("missing element type")
    if t not in SCALARS and not STRUCT_NAME.match(t):
        raise ValueError("bad type name '%s'" % t)
    if shape == "map" and t != "string" and t in SCALARS:
        raise ValueError("map values must be string or a struct, not %s" % t)
    return shape, t


def parse_field(tab, lineno, words):
    f = Field(lineno, words[0])
    if not re.match(r'^[^"\\\s]+$', f.json) or len(f.json) > 255:
        tab.error(lineno, "bad JSON name '%s'" % f.json)
    if len(words) < 2:
        tab.error(lineno, "field '%s' has no type" % f.json)
        return None
    try:
        f.shape, f.base = parse_type(words[1])
    except ValueError as e:
        tab.error(lineno, "field '%s': %s" % (f.json, e))
        return None
    seen = set()
    for flag in words[2:]:
        key = flag.split("=", 1)[0]
        if key in seen:
            tab.error(lineno, "flag '%s' given twice" % key)
            continue
        seen.add(key)
        if flag == "required":
            f.required = True
        elif flag.startswith("enum="):
            if f.base != "string":
                tab.error(lineno, "enum= needs a string type, '%s' is %s" % (f.json, words[1]))
                continue
            vals = flag[5:].split("|")
            for v in vals:
                if not re.match(r'^[^"\\\s|]+$', v):
                    tab.error(lineno, "bad enum value '%s'" % v)
            if len(set(vals)) != len(vals):
                tab.error(lineno, "duplicate enum value in '%s'" % flag)
            f.enums = vals
        elif key in ("min", "max") and "=" in flag:
            val = flag[4:]
            if f.base not in INT_RANGE:
                tab.error(lineno, "%s= needs an integer type, '%s' is %s" % (key, f.json, words[1]))
                continue
            if not INT_LIT.match(val):
                tab.error(lineno, "%s= needs a decimal integer, got '%s'" % (key, val))
                continue
            lo, hi = INT_RANGE[f.base]
            n = int(val)
            if n < lo or n > hi:
                tab.error(lineno, "%s=%d is outside the range of %s" % (key, n, f.base))
                continue
            setattr(f, key, n)
            f.ranged = True
        elif flag.startswith("c="):
            c = flag[2:]
            if not IDENT.match(c) or c in C_RESERVED or c.startswith("__"):
                tab.error(lineno, "c=%s is not a usable C member name" % c)
            f.cname = c
        else:
            tab.error(lineno, "unknown flag '%s'" % flag)
    if f.base in INT_RANGE:
        lo, hi = INT_RANGE[f.base]
        f.min = lo if f.min is None else f.min
        f.max = hi if f.max is None else f.max
        if f.min > f.max:
            tab.error(lineno, "min=%d is above max=%d" % (f.min, f.max))
        if f.max < 0:
            tab.error(lineno, "a negative max= is not supported")
        if f.min > 2**63 - 1:
            tab.error(lineno, "min= above %d is not supported" % (2**63 - 1))
    if f.cname is None:
        if not re.match(r"^[A-Za-z][A-Za-z0-9]*$", f.json):
            tab.error(lineno, "'%s' is not a C name: give one with c=NAME" % f.json)
            f.cname = "invalid"
        else:
            f.cname = snake_case(f.json)
            if f.cname in C_RESERVED:
                f.cname += "_"
    return f


def parse_table(path, text):
    tab = Table(path)
    cur = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        words = line.split()
        if not line[0].isspace():
            if words[0] != "struct":
                tab.error(lineno, "expected 'struct NAME [root]', got '%s'" % words[0])
                cur = None
                continue
            if len(words) < 2 or len(words) > 3 or (len(words) == 3 and words[2] != "root"):
                tab.error(lineno, "expected 'struct NAME [root]'")
                cur = None
                continue
            name = words[1]
            if not STRUCT_NAME.match(name) or name in SCALARS:
                tab.error(lineno, "bad struct name '%s'" % name)
            if name in tab.structs:
                tab.error(
                    lineno,
                    "struct '%s' already defined at line %d" % (name, tab.structs[name].lineno),
                )
                cur = Struct(lineno, name, False)  # checks its fields, then dropped
                continue
            cur = Struct(lineno, name, len(words) == 3)
            tab.structs[name] = cur
            continue
        if cur is None:
            tab.error(lineno, "field outside a struct")
            continue
        f = parse_field(tab, lineno, words)
        if f is None:
            continue
        for g in cur.fields:
            if g.json == f.json:
                tab.error(lineno, "duplicate field '%s' (line %d)" % (f.json, g.lineno))
                break
        else:
            cur.fields.append(f)
    check_table(tab)
    return tab


def members(f):
    """The C members of a field: [(type, name)]."""
    if f.base not in SCALARS:
        t = "oci_%s *" % f.base
        mt = "oci_%s_map *" % f.base
    else:
        t = C_SCALAR[f.base]
        mt = "oci_string_map *"
    if f.shape == "map":
        return [(mt, f.cname)]
    if f.shape == "array":
        return [(t + "*", f.cname), ("size_t ", f.cname + "_len")]
    if f.base in SCALARS and f.base != "string":
        return [(t, f.cname), ("bool ", f.cname + "_present")]
    return [(t, f.cname)]


def check_table(tab):
    symbols = dict((n, 0) for n in ENGINE_NAMES)

    def symbol(name, lineno):
        if name in symbols:
            tab.error(lineno, "generated name %s clashes with another one" % name)
        symbols[name] = lineno

    for s in tab.structs.values():
        if not s.fields:
            tab.error(s.lineno, "struct '%s' has no fields" % s.name)
        if len(s.fields) > MAX_FIELDS:
            tab.error(s.lineno, "struct '%s' has more than %d fields" % (s.name, MAX_FIELDS))
        for f in s.fields:
            if f.base not in SCALARS:
                if f.base not in tab.structs:
                    tab.error(f.lineno, "unknown type '%s'" % f.base)
                    continue
                f.struct = tab.structs[f.base]
                if f.shape == "map":
                    f.struct.used_in_map = True
        names = {}
        for f in s.fields:
            for _, m in members(f):
                if m in names:
                    tab.error(
                        f.lineno, "C member '%s' clashes with field on line %d" % (m, names[m])
                    )
                names[m] = f.lineno
        suffixes = ["", "_desc", "_fields", "_free"]
        if s.root:
            suffixes += ["_parse_data", "_parse_file", "_serialize"]
        for suf in suffixes:
            symbol("oci_%s%s" % (s.name, suf), s.lineno)
    for s in tab.structs.values():
        if s.used_in_map:
            symbol("oci_%s_map" % s.name, s.lineno)
    if not any(s.root for s in tab.structs.values()):
        tab.errors.append((0, "%s: no struct is marked root" % tab.path))


def order_structs(tab):
    """Structs with the ones they contain first; rejects recursive types."""
    done, active, order = set(), [], []

    def visit(s):
        if s.name in done:
            return
        if s in active:
            cycle = active[active.index(s):] + [s]
            tab.error(s.lineno, "recursive type: %s" % " -> ".join(x.name for x in cycle))
            return
        active.append(s)
        for f in s.fields:
            if f.struct:
                visit(f.struct)
        active.pop()
        done.add(s.name)
        order.append(s)

    for s in tab.structs.values():
        visit(s)
    return order


def depth(s, memo):
    """Engine stack frames needed for a document of type s."""
    if s.name not in memo:
        d = 0
        for f in s.fields:
            sub = depth(f.struct, memo) if f.struct else 0
            d = max(d, sub + (1 if f.shape != "one" else 0))
        memo[s.name] = 1 + d
    return memo[s.name]


# --- C output ---------------------------------------------------------------

HEADER = """/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Generated by libocispec/gen.py from spec.types: do not edit. */
"""


def columns(s):
    """Display width of s with 8-column tabs."""
    col = 0
    for ch in s:
        col = (col // 8 + 1) * 8 if ch == "\t" else col + 1
    return col


def align_to(col):
    return "\t" * (col // 8) + " " * (col % 8)


def wrap_call(head, args, tail, limit=100):
    """head + ', '.join(args) + tail, broken like clang-format does
    (bin-packed arguments aligned after the open parenthesis)."""
    one = head + ", ".join(args) + tail
    if columns(one) <= limit:
        return one
    indent = align_to(columns(head))
    lines, line = [], head
    for i, a in enumerate(args):
        piece = a + ("," if i + 1 < len(args) else tail)
        first = line == head or line == indent
        cand = line + ("" if first else " ") + piece
        if columns(cand) > limit and not first:
            lines.append(line)
            line = indent + piece
        else:
            line = cand
    lines.append(line)
    return "\n".join(lines)


def c_min(v):
    return {-(2**63): "INT64_MIN", -(2**31): "INT32_MIN"}.get(v, str(v))


def c_max(v):
    named = {
        2**64 - 1: "UINT64_MAX",
        2**63 - 1: "INT64_MAX",
        2**32 - 1: "UINT32_MAX",
        2**31 - 1: "INT32_MAX",
        2**16 - 1: "UINT16_MAX",
    }
    return named.get(v, str(v))


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit_header(tab, order):
    out = [HEADER, "#ifndef OCI_TYPES_H\n#define OCI_TYPES_H\n\n"]
    out.append("#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n")
    out.append('#include "ocispec.h"\n\n')
    for s in tab.structs.values():
        out.append("typedef struct oci_%s oci_%s;\n" % (s.name, s.name))
    for s in tab.structs.values():
        if s.used_in_map:
            out.append("typedef struct oci_%s_map oci_%s_map;\n" % (s.name, s.name))
    for s in order:
        out.append("\nstruct oci_%s {\n" % s.name)
        for f in s.fields:
            for t, m in members(f):
                out.append("\t%s%s;\n" % (t, m))
        out.append("};\n")
        if s.used_in_map:
            out.append("\n/* a JSON object of %s values, in document order */\n" % s.name)
            out.append("struct oci_%s_map {\n" % s.name)
            out.append("\tchar **keys;\n\toci_%s **values;\n\tsize_t len;\n};\n" % s.name)
    out.append("\n")
    for s in tab.structs.values():
        out.append("void oci_%s_free(oci_%s *v);\n" % (s.name, s.name))
    for s in tab.structs.values():
        if not s.root:
            continue
        n = s.name
        out.append("\n")
        out.append(
            wrap_call(
                "oci_%s *oci_%s_parse_data(" % (n, n),
                ["const char *data", "size_t len", "const char *source", "char **err"],
                ");",
            )
            + "\n"
        )
        out.append(
            wrap_call(
                "oci_%s *oci_%s_parse_file(" % (n, n),
                ["const char *path", "const char *source", "char **err"],
                ");",
            )
            + "\n"
        )
        out.append(
            wrap_call(
                "char *oci_%s_serialize(" % n,
                ["const oci_%s *v" % n, "bool pretty", "size_t *len", "char **err"],
                ");",
            )
            + "\n"
        )
    out.append("\n#endif\n")
    return "".join(out)


def field_row(s, f):
    ms = members(f)
    aux = "offsetof(oci_%s, %s)" % (s.name, ms[1][1]) if len(ms) > 1 else "0"
    flags = []
    if f.required:
        flags.append("OCI_F_REQUIRED")
    if f.ranged:
        flags.append("OCI_F_RANGED")
    vals = [
        c_string(f.json),
        "&oci_%s_desc" % f.base if f.struct else "NULL",
        c_string("|".join(f.enums)) if f.enums else "NULL",
        c_min(f.min) if f.min is not None else "0",
        c_max(f.max) if f.max is not None else "0",
        "offsetof(oci_%s, %s)" % (s.name, f.cname),
        aux,
        str(len(f.json.encode())),
        "OCI_K_STRUCT" if f.struct else KIND[f.base],
        SHAPE[f.shape],
        " | ".join(flags) if flags else "0",
    ]
    return "\t{" + ", ".join(vals) + "},\n"


def emit_source(tab, order):
    memo = {}
    maxdepth = max(depth(s, memo) for s in tab.structs.values() if s.root)
    out = [HEADER, "#include <stddef.h>\n#include <stdint.h>\n\n", '#include "oci_types.h"\n\n']
    out.append(
        '_Static_assert(%d <= OCI_MAX_DEPTH, "spec.types nests deeper than the engine allows");\n'
        % maxdepth
    )
    out.append("\n/* clang-format off */\n")
    out.append(
        "/* JSON name, element type, enum values, min, max, member, presence or length\n"
        " * member, name length, kind, shape, flags */\n"
    )
    for s in order:
        out.append("\nstatic const oci_field_desc oci_%s_fields[] = {\n" % s.name)
        for f in s.fields:
            out.append(field_row(s, f))
        out.append("};\n")
        out.append(
            "static const oci_struct_desc oci_%s_desc = {%s, oci_%s_fields, %d, sizeof(oci_%s)};\n"
            % (s.name, c_string(s.name), s.name, len(s.fields), s.name)
        )
    out.append("/* clang-format on */\n")
    for s in tab.structs.values():
        n = s.name
        out.append("\nvoid oci_%s_free(oci_%s *v)\n{\n" % (n, n))
        out.append("\toci_struct_free(&oci_%s_desc, v);\n}\n" % n)
    for s in tab.structs.values():
        if not s.root:
            continue
        n = s.name
        desc = "&oci_%s_desc" % n
        defs = [
            (
                "oci_%s *oci_%s_parse_data(" % (n, n),
                ["const char *data", "size_t len", "const char *source", "char **err"],
                "\treturn oci_struct_parse_data(",
                [desc, "data", "len", "source", "err"],
            ),
            (
                "oci_%s *oci_%s_parse_file(" % (n, n),
                ["const char *path", "const char *source", "char **err"],
                "\treturn oci_struct_parse_file(",
                [desc, "path", "source", "err"],
            ),
            (
                "char *oci_%s_serialize(" % n,
                ["const oci_%s *v" % n, "bool pretty", "size_t *len", "char **err"],
                "\treturn oci_struct_serialize(",
                [desc, "v", "pretty", "len", "err"],
            ),
        ]
        for head, params, call, args in defs:
            out.append("\n" + wrap_call(head, params, ")") + "\n{\n")
            out.append(wrap_call(call, args, ");") + "\n}\n")
    return "".join(out)


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as fp:
        fp.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen.py SPEC_TYPES OUTDIR\n")
        return 2
    src, outdir = argv[1], argv[2]
    try:
        with open(src) as fp:
            text = fp.read()
    except OSError as e:
        sys.stderr.write("gen.py: %s: %s\n" % (src, e.strerror))
        return 1
    tab = parse_table(src, text)
    order = order_structs(tab)
    if tab.errors:
        for _, e in sorted(tab.errors, key=lambda e: e[0]):
            sys.stderr.write(e + "\n")
        return 1
    os.makedirs(outdir, exist_ok=True)
    write(os.path.join(outdir, "oci_types.h"), emit_header(tab, order))
    write(os.path.join(outdir, "oci_types.c"), emit_source(tab, order))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
