"""Checks of the hand-curated tables (resources/curated/) and the default miRNA-set sheet.

Each table has a validator that returns a list of problems, one per offending cell, written as
``file:line: problem (value)`` so that a failing test says exactly what to fix.  The validators
run on the real tables (which must give no problem) and on small broken fixtures under
tests/data/curated/ (which must give the expected problems), so the checks themselves are
tested.  Tests marked ``realdata`` compare the tables with the real reference files under
$EXOMIR_REFERENCE_DIR and with the two source reviews.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CURATED = REPO / "resources" / "curated"
SETS = REPO / "config" / "mirna_sets.tsv"
FIXTURES = Path(__file__).parent / "data" / "curated"

# -- vocabularies ---------------------------------------------------------------------------

FOCUS_LABELS = {
    "pi3k_akt": "PTEN / PI3K-Akt",
    "nfkb": "NF-κB",
    "mtor": "mTOR",
    "hif1": "HIF-1",
    "wnt": "Wnt / β-catenin",
}
PROCESSES = (
    *FOCUS_LABELS,
    "apoptosis",
    "angiogenesis",
    "fibrosis_tgfb",
    "inflammation_nlrp3",
    "emt",
    "proliferation",
)
REGULATOR_COLUMNS = ["process", "process_label", "gene", "role", "evidence", "reference", "note"]
REGULATOR_ROLES = {"activator", "inhibitor"}
REGULATOR_EVIDENCE = {"go_regulation", "process_member", "literature"}
ROLE_COLUMNS = ["gene", "role", "reference", "note"]
GENE_ROLES = {
    "tumour_suppressor",
    "oncogene",
    "pro_apoptotic",
    "anti_apoptotic",
    "pro_angiogenic",
    "anti_angiogenic",
    "pro_fibrotic",
    "anti_fibrotic",
    "pro_inflammatory",
    "anti_inflammatory",
}
LITERATURE_COLUMNS = [
    "mirna",
    "msc_source",
    "target_gene",
    "pathway",
    "context",
    "effect",
    "review",
    "review_ref",
    "pmid",
    "quote",
]
EFFECTS = {
    "pro_tumour",
    "anti_tumour",
    "regenerative",
    "pro_angiogenic",
    "anti_angiogenic",
    "anti_inflammatory",
    "anti_apoptotic",
    "anti_fibrotic",
    "immunomodulatory",
    "other",
}
#: MSC sources of the default sheet (config/mirna_sets.tsv).
SET_SOURCES = {
    "bone_marrow",
    "adipose",
    "umbilical_cord",
    "wharton_jelly",
    "placenta",
    "menstrual_blood",
    "dental_pulp",
    "mixed",
}
#: The literature table also records claims without a named tissue and non-MSC exosomes.
LITERATURE_SOURCES = SET_SOURCES | {"unspecified", "not_msc"}
SET_COLUMNS = ["set", "msc_source", "mirna", "weight", "note"]
REQUIRED_SETS = {"bone_marrow", "adipose", "umbilical_cord", "msc_exosome_enriched"}
#: A text that identifies each review in the seed files.
REVIEW_MARKERS = {
    "Hassanzadeh et al. 2021": "Double-edged sword role of MSC-derived exosomes in tumors",
    "Tang et al. 2021": "10.1186/s13287-021-02138-7",
}

REFERENCE_FORMS = {
    "KEGG": re.compile(r"^KEGG:hsa\d{5}$"),
    "Reactome": re.compile(r"^R-HSA-\d+$"),
    "GO": re.compile(r"^GO:\d{7}$"),
    "WikiPathways": re.compile(r"^WP\d+$"),
    "PubMed": re.compile(r"^PMID:\d+$"),
    "COSMIC": re.compile(r"^COSMIC CGC$"),
}
SYMBOL = re.compile(r"^[A-Z][A-Z0-9-]*$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
SET_NAME = re.compile(r"^[A-Za-z0-9_]+$")
#: A specific miRNA as the literature writes it: miR-21, miR-125b-5p, miR-4485, let-7c ...
MIRNA = re.compile(r"^(?:miR-\d+[a-z]?(?:-\d+)?|let-7[a-k](?:-\d+)?)(?:-[35]p)?$")
#: Family-level names that the name stage stops on as ambiguous.
FAMILY = re.compile(r"^(?:let-7|miR-15|miR-17|miR-30|miR-200)$|family|cluster", re.IGNORECASE)
REF_NUMBERS = re.compile(r"^\d+(?:;\d+)*$")
CITATION_WINDOW = 1500

Problems = list[str]


# -- reading ----------------------------------------------------------------------------------


def read_table(path: Path) -> pd.DataFrame:
    """A curated TSV as strings, empty cells as ``""`` (nothing is parsed as NA)."""
    return pd.read_csv(
        path,
        sep="\t",
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        quoting=csv.QUOTE_NONE,
        encoding="utf-8",
    )


def _line(index: int) -> int:
    """File line of a data row (line 1 is the header)."""
    return index + 2


def _where(path: Path, index: int) -> str:
    return f"{path.name}:{_line(index)}"


def _tokens(cell: str) -> list[str]:
    return cell.split(";") if cell else []


def _wrong_columns(problems: Problems) -> bool:
    """True when check_layout stopped at the header (nothing else can be checked)."""
    return bool(problems) and ":1: columns are" in problems[0]


# -- validators -------------------------------------------------------------------------------


def check_layout(table: pd.DataFrame, path: Path, columns: list[str]) -> Problems:
    """Exact columns in order, no stray whitespace, no duplicated rows."""
    if list(table.columns) != columns:
        return [f"{path.name}:1: columns are {list(table.columns)}, expected {columns}"]
    problems: Problems = []
    for i, row in table.iterrows():
        for column in columns:
            value = row[column]
            if value != value.strip() or "  " in value:
                problems.append(f"{_where(path, i)}: stray whitespace in {column} ({value!r})")
    dupes = table[table.duplicated(keep="first")]
    problems += [f"{_where(path, i)}: duplicate of an earlier row" for i in dupes.index]
    return problems


def check_reference_tokens(cell: str, allowed: Iterable[str], where: str) -> Problems:
    """Every ``;``-separated reference is in one of the ``allowed`` forms; at least one."""
    tokens = _tokens(cell)
    if not tokens:
        return [f"{where}: no reference"]
    forms = [REFERENCE_FORMS[name] for name in allowed]
    return [
        f"{where}: reference not in an accepted form ({token!r}); use " + ", ".join(allowed)
        for token in tokens
        if not any(form.match(token) for form in forms)
    ]


def check_regulators(table: pd.DataFrame, path: Path) -> Problems:
    """pathway_regulators.tsv: vocabularies, references, one sign per (process, gene)."""
    problems = check_layout(table, path, REGULATOR_COLUMNS)
    if _wrong_columns(problems):
        return problems
    labels: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    for i, row in table.iterrows():
        where = _where(path, i)
        process, gene = row["process"], row["gene"]
        if process not in PROCESSES:
            problems.append(f"{where}: unknown process ({process!r}); known: {list(PROCESSES)}")
        expected_label = FOCUS_LABELS.get(process)
        if expected_label is not None and row["process_label"] != expected_label:
            problems.append(
                f"{where}: process_label of {process} must be the focus label "
                f"{expected_label!r} ({row['process_label']!r})"
            )
        previous = labels.setdefault(process, row["process_label"])
        if previous != row["process_label"]:
            problems.append(
                f"{where}: process_label differs from earlier rows of {process} "
                f"({row['process_label']!r} vs {previous!r})"
            )
        if not SYMBOL.match(gene):
            problems.append(f"{where}: gene is not an HGNC-style symbol ({gene!r})")
        if row["role"] not in REGULATOR_ROLES:
            problems.append(f"{where}: role must be activator or inhibitor ({row['role']!r})")
        if row["evidence"] not in REGULATOR_EVIDENCE:
            problems.append(
                f"{where}: evidence must be one of {sorted(REGULATOR_EVIDENCE)} "
                f"({row['evidence']!r})"
            )
        if row["evidence"] == "process_member" and not row["note"]:
            problems.append(f"{where}: process_member row needs a note with the mechanism")
        problems += check_reference_tokens(
            row["reference"], ("KEGG", "Reactome", "GO", "PubMed"), where
        )
        if (process, gene) in seen:
            problems.append(
                f"{where}: {gene} is listed twice for {process} "
                f"(first on line {_line(seen[process, gene])})"
            )
        seen.setdefault((process, gene), i)
    return problems


def check_gene_roles(table: pd.DataFrame, path: Path) -> Problems:
    """gene_roles.tsv: vocabulary, references, no gene both pro_X and anti_X."""
    problems = check_layout(table, path, ROLE_COLUMNS)
    if _wrong_columns(problems):
        return problems
    roles: dict[str, set[str]] = {}
    for i, row in table.iterrows():
        where = _where(path, i)
        gene, role = row["gene"], row["role"]
        if not SYMBOL.match(gene):
            problems.append(f"{where}: gene is not an HGNC-style symbol ({gene!r})")
        if role not in GENE_ROLES:
            problems.append(f"{where}: unknown role ({role!r}); known: {sorted(GENE_ROLES)}")
        problems += check_reference_tokens(
            row["reference"], ("COSMIC", "GO", "KEGG", "Reactome", "PubMed"), where
        )
        if role.startswith(("pro_", "anti_")):
            opposite = ("anti_" + role[4:]) if role.startswith("pro_") else ("pro_" + role[5:])
            if opposite in roles.get(gene, set()):
                problems.append(f"{where}: {gene} is both {role} and {opposite}")
        roles.setdefault(gene, set()).add(role)
    keys = table[["gene", "role"]]
    for i in keys[keys.duplicated(keep="first")].index:
        problems.append(
            f"{_where(path, i)}: role {table.at[i, 'role']} of {table.at[i, 'gene']} "
            "is listed twice"
        )
    return problems


def check_literature(table: pd.DataFrame, path: Path) -> Problems:
    """msc_exosome_literature.tsv: vocabularies and the form of names, refs and PMIDs."""
    problems = check_layout(table, path, LITERATURE_COLUMNS)
    if _wrong_columns(problems):
        return problems
    for i, row in table.iterrows():
        where = _where(path, i)
        mirna = row["mirna"]
        if not (MIRNA.match(mirna) or FAMILY.match(mirna)):
            problems.append(f"{where}: miRNA name not in miR-N / let-7x form ({mirna!r})")
        if row["msc_source"] not in LITERATURE_SOURCES:
            problems.append(f"{where}: unknown msc_source ({row['msc_source']!r})")
        target = row["target_gene"]
        if target and not SYMBOL.match(target):
            problems.append(f"{where}: target_gene is not an HGNC-style symbol ({target!r})")
        unknown = [p for p in _tokens(row["pathway"]) if p not in PROCESSES]
        if unknown:
            problems.append(f"{where}: unknown pathway key(s) {unknown}; known: {list(PROCESSES)}")
        if row["effect"] not in EFFECTS:
            problems.append(f"{where}: unknown effect ({row['effect']!r})")
        if row["review"] not in REVIEW_MARKERS:
            problems.append(f"{where}: unknown review ({row['review']!r})")
        refs = row["review_ref"]
        if not REF_NUMBERS.match(refs):
            problems.append(f"{where}: review_ref must be numbers joined by ';' ({refs!r})")
        elif [int(n) for n in refs.split(";")] != sorted({int(n) for n in refs.split(";")}):
            problems.append(
                f"{where}: review_ref numbers must be ascending and distinct ({refs!r})"
            )
        if row["pmid"] and not row["pmid"].isdigit():
            problems.append(f"{where}: pmid must be digits only ({row['pmid']!r})")
        if len(row["quote"]) < 20:
            problems.append(f"{where}: quote missing or too short to locate ({row['quote']!r})")
    return problems


def check_mirna_sets(
    table: pd.DataFrame, path: Path, literature: pd.DataFrame | None = None
) -> Problems:
    """config/mirna_sets.tsv: names, sources, one source per set, traceable to the literature."""
    problems = check_layout(table, path, SET_COLUMNS)
    if _wrong_columns(problems):
        return problems
    sources: dict[str, str] = {}
    for i, row in table.iterrows():
        where = _where(path, i)
        name, source, mirna = row["set"], row["msc_source"], row["mirna"]
        if not SET_NAME.match(name):
            problems.append(f"{where}: set name must match [A-Za-z0-9_]+ ({name!r})")
        if source not in SET_SOURCES:
            problems.append(
                f"{where}: unknown msc_source ({source!r}); known: {sorted(SET_SOURCES)}"
            )
        first = sources.setdefault(name, source)
        if first != source:
            problems.append(f"{where}: set {name} mixes msc_source {first!r} and {source!r}")
        if FAMILY.search(mirna) or not MIRNA.match(mirna):
            problems.append(
                f"{where}: miRNA is not a specific member name ({mirna!r}); family names stop "
                "the run as ambiguous"
            )
        weight = row["weight"]
        if weight:
            try:
                ok = float(weight) > 0
            except ValueError:
                ok = False
            if not ok:
                problems.append(f"{where}: weight must be empty or a positive number ({weight!r})")
        if not row["note"]:
            problems.append(f"{where}: note must say where the miRNA comes from")
        if literature is not None:
            wanted = "unspecified" if source == "mixed" else source
            hits = literature[(literature["mirna"] == mirna) & (literature["msc_source"] == wanted)]
            if hits.empty:
                problems.append(
                    f"{where}: {mirna} ({source}) has no row with msc_source {wanted!r} in "
                    "msc_exosome_literature.tsv"
                )
    keys = table[["set", "mirna"]]
    for i in keys[keys.duplicated(keep="first")].index:
        problems.append(
            f"{_where(path, i)}: {table.at[i, 'mirna']} is listed twice in set {table.at[i, 'set']}"
        )
    return problems


def check_focus(data: object, path: Path) -> Problems:
    """focus_pathways.yaml: the five focus keys with their labels and unique text terms."""
    if not isinstance(data, Mapping):
        return [f"{path.name}: top level must be a mapping of focus keys ({type(data).__name__})"]
    problems: Problems = []
    if set(data) != set(FOCUS_LABELS):
        problems.append(
            f"{path.name}: focus keys are {sorted(map(str, data))}, expected {sorted(FOCUS_LABELS)}"
        )
    for key, entry in data.items():
        where = f"{path.name}: {key}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: entry must be a mapping with label, description, terms")
            continue
        extra = set(entry) - {"label", "description", "terms"}
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}")
        if key in FOCUS_LABELS and entry.get("label") != FOCUS_LABELS[key]:
            problems.append(
                f"{where}: label must be {FOCUS_LABELS[key]!r} ({entry.get('label')!r})"
            )
        description = entry.get("description")
        if not isinstance(description, str) or not description.strip():
            problems.append(f"{where}: description missing")
        terms = entry.get("terms")
        if not isinstance(terms, list) or not terms:
            problems.append(f"{where}: terms must be a non-empty list")
            continue
        seen: set[str] = set()
        for term in terms:
            if not isinstance(term, str) or not term.strip() or term != term.strip():
                problems.append(f"{where}: term is not clean text ({term!r})")
                continue
            if term.casefold() in seen:
                problems.append(f"{where}: term listed twice ({term!r})")
            seen.add(term.casefold())
    return problems


# -- comparisons with reference data -----------------------------------------------------------


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space, so line breaks do not matter."""
    return re.sub(r"\s+", " ", text).strip()


def review_texts(seeds: Path) -> dict[str, str]:
    """Normalised text of each review, found by its marker among the seed files."""
    texts: dict[str, str] = {}
    for path in sorted(seeds.glob("*.txt")):
        text = normalise(path.read_text(encoding="utf-8"))
        for review, marker in REVIEW_MARKERS.items():
            if marker in text:
                texts[review] = text
    return texts


def check_quotes(table: pd.DataFrame, path: Path, texts: Mapping[str, str]) -> Problems:
    """Each quote is in its review verbatim, and its reference numbers are cited right after."""
    problems: Problems = []
    for i, row in table.iterrows():
        where = _where(path, i)
        text = texts.get(row["review"])
        if text is None:
            problems.append(f"{where}: review text not found for {row['review']!r}")
            continue
        quote = normalise(row["quote"])
        at = text.find(quote)
        if at < 0:
            problems.append(f"{where}: quote not found in {row['review']} ({quote[:70]!r})")
            continue
        window = text[at : at + len(quote) + CITATION_WINDOW]
        for number in _tokens(row["review_ref"]):
            if not re.search(rf"[\[,]\s*{number}\b", window):
                problems.append(
                    f"{where}: reference {number} is not cited within {CITATION_WINDOW} "
                    f"characters after the quote in {row['review']}"
                )
    return problems


def read_hgnc_symbols(path: Path) -> set[str]:
    """Approved symbols of an HGNC complete-set file (plain or gzip)."""
    table = pd.read_csv(path, sep="\t", usecols=["symbol"], dtype=str, keep_default_na=False)
    return set(table["symbol"])


def unknown_symbols(tables: Mapping[str, Iterable[str]], approved: set[str]) -> Problems:
    return [
        f"{name}: {symbol} is not an approved HGNC symbol"
        for name, symbols in tables.items()
        for symbol in sorted(set(symbols) - {""} - approved)
    ]


#: Identifiers of the libraries: GO, Reactome, WikiPathways, KEGG.
_ID = re.compile(r"GO:\d{7}|R-HSA-\d+|WP\d+|hsa\d{5}")
#: An identifier at the end of an Enrichr name: "name (GO:...)", "name R-HSA-...", "name WP...",
#: "name Homo sapiens hsa....." (the same rules as exomir.genesets.read_gmt).
_TRAILING = re.compile(
    r"^(?P<term>.*?\S)(?:\s+Homo sapiens)?\s+"
    r"(?:\((?P<pid>GO:\d{7})\)|(?P<id>R-HSA-\d+|WP\d+|hsa\d{5}))$"
)


def _open_lines(path: Path) -> Iterable[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from handle


def gmt_sets(path: Path) -> dict[str, tuple[str, str, frozenset[str]]]:
    """name -> (identifier, display name, genes) of a GMT or Enrichr library file.

    The identifier is column 2 when it looks like one (Reactome, GO files), else the ID at the
    end of the name or in its ``%``-separated third part, else empty; the display name is the
    name without that ID.
    """
    sets: dict[str, tuple[str, str, frozenset[str]]] = {}
    for line in _open_lines(path):
        fields = line.rstrip("\n").split("\t")
        if len(fields) < 3:
            continue
        name, description = fields[0].strip(), fields[1].strip()
        genes = frozenset(g.split(",")[0].strip() for g in fields[2:] if g.strip())
        term_id, display = "", name
        if name.count("%") >= 2:
            parts = name.split("%")
            display, term_id = parts[0], parts[2]
        else:
            match = _TRAILING.match(name)
            if match:
                display, term_id = match["term"], match["pid"] or match["id"]
        if _ID.fullmatch(description):
            term_id = description
        sets[name] = (term_id, display, genes)
    return sets


def library_keys(paths: Iterable[Path]) -> set[str]:
    """Case-folded names, display names and identifiers of every set of the libraries."""
    keys: set[str] = set()
    for path in paths:
        for name, (term_id, display, _) in gmt_sets(path).items():
            keys |= {name.casefold(), display.casefold()}
            if term_id:
                keys.add(term_id.casefold())
    return keys


def unmatched_focus_terms(data: Mapping[str, Mapping], keys: set[str]) -> dict[str, list[str]]:
    """Focus terms that match no set of the libraries, per focus key."""
    missing = {
        key: [t for t in entry["terms"] if t.casefold() not in keys] for key, entry in data.items()
    }
    return {key: terms for key, terms in missing.items() if terms}


def mirbase_names(mature_fasta: Path, history: Path, species: str = "hsa") -> dict[str, set[str]]:
    """Every current or former mature name of ``species`` -> accessions that are still current.

    Current accessions come from ``mature.fa``; former names from the per-release history table
    (``mature_acc``, ``mature_id``).  A name whose accessions all left miRBase maps to an empty
    set, so it counts as unknown.
    """
    current: dict[str, str] = {}
    for line in _open_lines(mature_fasta):
        if line.startswith(">"):
            name, accession = line[1:].split()[:2]
            if name.startswith(species + "-"):
                current[name] = accession
    alive = set(current.values())
    names: dict[str, set[str]] = {name: {acc} for name, acc in current.items()}
    table = pd.read_csv(history, sep="\t", dtype=str, keep_default_na=False)
    for accession, name in zip(table["mature_acc"], table["mature_id"], strict=True):
        if name.startswith(species + "-"):
            names.setdefault(name, set())
            if accession in alive:
                names[name].add(accession)
    return names


def unresolvable(
    mirnas: Iterable[str], names: Mapping[str, set[str]], species: str = "hsa"
) -> list[str]:
    """miRNAs that no current or former name (with or without an arm) maps to a current entry."""
    missing = []
    for mirna in mirnas:
        forms = [f"{species}-{mirna}"]
        if not re.search(r"-[35]p$", mirna):
            forms += [f"{species}-{mirna}-5p", f"{species}-{mirna}-3p"]
        if not any(names.get(form) for form in forms):
            missing.append(mirna)
    return missing


class Memberships:
    """Which genes each GO term, KEGG map and Reactome pathway contains, from real libraries."""

    def __init__(self, go: Path | None, reactome: Iterable[Path], kegg: Iterable[Path]) -> None:
        self.sets: dict[str, frozenset[str]] = {}
        self.go_names: dict[str, str] = {}
        if go is not None:
            for term_id, display, genes in gmt_sets(go).values():
                self.sets[term_id] = genes
                self.go_names[term_id] = display
        for path in reactome:
            for term_id, _, genes in gmt_sets(path).values():
                if term_id.startswith("R-HSA-"):
                    self.sets[term_id] = self.sets.get(term_id, frozenset()) | genes
        kegg_ids: dict[str, str] = {}
        kegg_genes: dict[str, frozenset[str]] = {}
        for path in kegg:
            for term_id, display, genes in gmt_sets(path).values():
                kegg_genes[display] = kegg_genes.get(display, frozenset()) | genes
                if re.fullmatch(r"hsa\d{5}", term_id):
                    kegg_ids[display] = term_id
        for display, genes in kegg_genes.items():
            if display in kegg_ids:
                key = "KEGG:" + kegg_ids[display]
                self.sets[key] = self.sets.get(key, frozenset()) | genes

    def contains(self, reference: str, gene: str) -> bool | None:
        """True/False when the reference is a known set; None when it cannot be checked."""
        genes = self.sets.get(reference)
        return None if genes is None else gene in genes

    def sign(self, reference: str) -> int:
        """+1 / -1 for a GO 'positive/negative regulation of ...' term, else 0."""
        name = self.go_names.get(reference, "")
        if name.startswith("positive regulation"):
            return 1
        if name.startswith("negative regulation"):
            return -1
        return 0


def check_reference_support(
    table: pd.DataFrame,
    path: Path,
    members: Memberships,
    sign_of_role: Callable[[str], int],
) -> Problems:
    """Every GO/KEGG/Reactome reference contains its gene and signed GO terms match the role."""
    problems: Problems = []
    for i, row in table.iterrows():
        where = _where(path, i)
        for reference in _tokens(row["reference"]):
            found = members.contains(reference, row["gene"])
            if found is None:
                if not reference.startswith(("PMID:", "COSMIC")):
                    problems.append(f"{where}: {reference} is in none of the reference libraries")
                continue
            if not found:
                problems.append(f"{where}: {reference} does not contain {row['gene']}")
            sign = members.sign(reference)
            if sign and sign != sign_of_role(row["role"]):
                problems.append(
                    f"{where}: {reference} ({members.go_names[reference]}) contradicts role "
                    f"{row['role']}"
                )
    return problems


def regulator_sign(role: str) -> int:
    return {"activator": 1, "inhibitor": -1}.get(role, 0)


def gene_role_sign(role: str) -> int:
    return 1 if role.startswith("pro_") else (-1 if role.startswith("anti_") else 0)


# -- fixtures ---------------------------------------------------------------------------------


@cache
def curated(name: str) -> pd.DataFrame:
    return read_table(SETS if name == "mirna_sets.tsv" else CURATED / name)


@cache
def focus_data() -> object:
    return yaml.safe_load((CURATED / "focus_pathways.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seeds_dir() -> Path:
    """The folder of the two source reviews; skips when there is none on this machine."""
    value = os.environ.get("EXOMIR_SEEDS_DIR")
    if value:
        path = Path(value)
    elif os.environ.get("EXOMIR_REFERENCE_DIR"):
        path = Path(os.environ["EXOMIR_REFERENCE_DIR"]).parent / "seeds"
    else:
        pytest.skip("neither EXOMIR_SEEDS_DIR nor EXOMIR_REFERENCE_DIR is set")
    if not path.is_dir():
        pytest.skip(f"no seeds folder at {path}")
    return path


def _libraries(reference_dir: Path) -> list[Path]:
    root = reference_dir / "gene_sets"
    return sorted(
        p for p in root.rglob("*") if p.is_file() and re.search(r"\.(gmt|txt)(\.gz)?$", p.name)
    )


@pytest.fixture(scope="module")
def memberships(reference_dir: Path) -> Memberships:
    root = reference_dir / "gene_sets"
    go = sorted((root / "go").glob("*.gmt*"))
    return Memberships(
        go[0] if go else None,
        sorted((root / "reactome").glob("*.gmt*")),
        sorted((root / "enrichr").glob("KEGG_*")),
    )


# -- the real tables ----------------------------------------------------------------------------


def test_pathway_regulators_are_well_formed():
    path = CURATED / "pathway_regulators.tsv"
    table = curated(path.name)
    problems = check_regulators(table, path)
    assert not problems, "\n".join(problems)
    # every process is covered, with both signs
    counts = table.groupby(["process", "role"]).size()
    for process in PROCESSES:
        for role in REGULATOR_ROLES:
            assert counts.get((process, role), 0) >= 5, f"few {role}s of {process}"


def test_gene_roles_are_well_formed():
    path = CURATED / "gene_roles.tsv"
    problems = check_gene_roles(curated(path.name), path)
    assert not problems, "\n".join(problems)


def test_gene_roles_cover_the_review_targets():
    """Every target gene of a review claim has a role, except MARCKS (see README)."""
    literature = curated("msc_exosome_literature.tsv")
    roles = set(curated("gene_roles.tsv")["gene"])
    targets = set(literature["target_gene"]) - {""}
    assert sorted(targets - roles) == ["MARCKS"]


def test_literature_is_well_formed():
    path = CURATED / "msc_exosome_literature.tsv"
    problems = check_literature(curated(path.name), path)
    assert not problems, "\n".join(problems)


def test_mirna_sets_are_well_formed_and_traceable():
    problems = check_mirna_sets(
        curated("mirna_sets.tsv"), SETS, literature=curated("msc_exosome_literature.tsv")
    )
    assert not problems, "\n".join(problems)
    missing = REQUIRED_SETS - set(curated("mirna_sets.tsv")["set"])
    assert not missing, f"default sets missing: {sorted(missing)}"


def test_mirna_sets_hold_every_mirna_the_reviews_give_a_source():
    """Each miRNA the literature table attributes to bone marrow, adipose or umbilical cord is
    in the set of that source."""
    sets = curated("mirna_sets.tsv")
    literature = curated("msc_exosome_literature.tsv")
    for source in ("bone_marrow", "adipose", "umbilical_cord"):
        wanted = set(literature.loc[literature["msc_source"] == source, "mirna"])
        have = set(sets.loc[sets["set"] == source, "mirna"])
        assert wanted <= have, f"{source}: missing {sorted(wanted - have)}"


def test_focus_pathways_file_is_well_formed():
    path = CURATED / "focus_pathways.yaml"
    problems = check_focus(focus_data(), path)
    assert not problems, "\n".join(problems)


def test_regulator_processes_share_the_focus_keys():
    processes = set(curated("pathway_regulators.tsv")["process"])
    assert set(FOCUS_LABELS) <= processes
    assert processes == set(PROCESSES)


# -- the validators catch what they should ------------------------------------------------------


def _fixture_problems(name: str, check: Callable[[pd.DataFrame, Path], Problems]) -> str:
    path = FIXTURES / name
    return "\n".join(check(read_table(path), path))


def test_regulator_check_reports_each_bad_cell():
    report = _fixture_problems("bad_pathway_regulators.tsv", check_regulators)
    expected = [
        "bad_pathway_regulators.tsv:2: role must be activator or inhibitor ('enhancer')",
        "bad_pathway_regulators.tsv:3: reference not in an accepted form ('KEGG:04151')",
        "bad_pathway_regulators.tsv:4: PTEN is listed twice for pi3k_akt (first on line 3)",
        "bad_pathway_regulators.tsv:5: process_member row needs a note",
        "bad_pathway_regulators.tsv:5: process_label of nfkb must be the focus label 'NF-κB'",
        "bad_pathway_regulators.tsv:6: unknown process ('wound_healing')",
        "bad_pathway_regulators.tsv:6: gene is not an HGNC-style symbol ('vegfa')",
        "bad_pathway_regulators.tsv:7: no reference",
    ]
    for text in expected:
        assert text in report, f"{text!r} not in\n{report}"


def test_gene_role_check_reports_each_bad_cell():
    report = _fixture_problems("bad_gene_roles.tsv", check_gene_roles)
    expected = [
        "bad_gene_roles.tsv:2: unknown role ('protective')",
        "bad_gene_roles.tsv:4: BAX is both anti_apoptotic and pro_apoptotic",
        "bad_gene_roles.tsv:6: role oncogene of KRAS is listed twice",
        "bad_gene_roles.tsv:7: reference not in an accepted form ('GO:123')",
    ]
    for text in expected:
        assert text in report, f"{text!r} not in\n{report}"


def test_literature_check_reports_each_bad_cell():
    report = _fixture_problems("bad_literature.tsv", check_literature)
    expected = [
        "bad_literature.tsv:2: unknown effect ('protective')",
        "bad_literature.tsv:2: review_ref must be numbers joined by ';' ('12-14')",
        "bad_literature.tsv:3: pmid must be digits only ('PMID:123')",
        "bad_literature.tsv:3: unknown pathway key(s) ['pi3k']",
        "bad_literature.tsv:4: unknown review ('Smith 2020')",
        "bad_literature.tsv:4: miRNA name not in miR-N / let-7x form ('mir21')",
        "bad_literature.tsv:5: review_ref numbers must be ascending and distinct ('9;3')",
        "bad_literature.tsv:5: quote missing or too short",
    ]
    for text in expected:
        assert text in report, f"{text!r} not in\n{report}"


def test_mirna_set_check_reports_each_bad_cell():
    path = FIXTURES / "bad_mirna_sets.tsv"
    literature = read_table(FIXTURES / "literature_for_sets.tsv")
    report = "\n".join(check_mirna_sets(read_table(path), path, literature=literature))
    expected = [
        "bad_mirna_sets.tsv:2: set name must match [A-Za-z0-9_]+ ('bone-marrow')",
        "bad_mirna_sets.tsv:4: unknown msc_source ('marrow')",
        "bad_mirna_sets.tsv:4: set bm mixes msc_source 'bone_marrow' and 'marrow'",
        "bad_mirna_sets.tsv:5: miRNA is not a specific member name ('let-7')",
        "bad_mirna_sets.tsv:6: weight must be empty or a positive number ('-1')",
        "bad_mirna_sets.tsv:7: note must say where the miRNA comes from",
        "bad_mirna_sets.tsv:8: miR-21 is listed twice in set bm",
        "bad_mirna_sets.tsv:9: miR-999 (bone_marrow) has no row with msc_source 'bone_marrow'",
    ]
    for text in expected:
        assert text in report, f"{text!r} not in\n{report}"


def test_layout_check_names_wrong_columns_and_whitespace():
    path = FIXTURES / "bad_layout.tsv"
    report = "\n".join(check_layout(read_table(path), path, ["gene", "role", "reference", "note"]))
    assert "bad_layout.tsv:1: columns are ['gene', 'role', 'reference']" in report
    table = pd.DataFrame({"gene": ["PTEN ", "PTEN "], "role": ["a", "a"]})
    report = "\n".join(check_layout(table, Path("t.tsv"), ["gene", "role"]))
    assert "t.tsv:2: stray whitespace in gene ('PTEN ')" in report
    assert "t.tsv:3: duplicate of an earlier row" in report


def test_focus_check_reports_each_bad_entry():
    path = FIXTURES / "bad_focus_pathways.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    report = "\n".join(check_focus(data, path))
    expected = [
        "focus keys are ['hif1', 'mtor', 'nfkb', 'pi3k_akt', 'tgfb'], expected",
        "bad_focus_pathways.yaml: nfkb: label must be 'NF-κB' ('NF-kB')",
        "bad_focus_pathways.yaml: mtor: term listed twice ('mtor signaling pathway')",
        "bad_focus_pathways.yaml: hif1: term is not clean text (1234)",
        "bad_focus_pathways.yaml: pi3k_akt: unknown keys ['reference']",
        "bad_focus_pathways.yaml: tgfb: description missing",
        "bad_focus_pathways.yaml: tgfb: terms must be a non-empty list",
    ]
    for text in expected:
        assert text in report, f"{text!r} not in\n{report}"
    assert check_focus(["a"], path) == [
        "bad_focus_pathways.yaml: top level must be a mapping of focus keys (list)"
    ]


def test_quote_check_finds_quotes_and_citations():
    texts = review_texts(FIXTURES / "seeds")
    assert set(texts) == {"Tang et al. 2021"}
    path = FIXTURES / "literature_quotes.tsv"
    report = "\n".join(check_quotes(read_table(path), path, texts))
    assert "literature_quotes.tsv:2" not in report  # quote and citation both present
    assert "literature_quotes.tsv:3: quote not found in Tang et al. 2021" in report
    assert "literature_quotes.tsv:4: reference 77 is not cited within" in report
    assert "literature_quotes.tsv:5: review text not found for 'Hassanzadeh et al. 2021'" in report


def test_library_parsing_gives_names_display_names_and_ids():
    libraries = sorted((FIXTURES / "gene_sets").iterdir())
    keys = library_keys(libraries)
    for key in [
        "pi3k-akt signaling pathway",  # KEGG_2021_Human-style name
        "hsa04151",  # KEGG_2016-style trailing ID
        "r-hsa-1257604",  # Reactome ID in column 2
        "pip3 activates akt signaling",  # its name
        "r-hsa-6807070",  # Enrichr Reactome ID at the end of the name
        "go:0043491",  # Enrichr GO "(GO:...)"
        "wp4172",  # WikiPathways title%source%ID
    ]:
        assert key in keys, key
    data = {"pi3k_akt": {"terms": ["hsa04151", "WP4172", "No Such Pathway"]}}
    assert unmatched_focus_terms(data, keys) == {"pi3k_akt": ["No Such Pathway"]}


def test_reference_support_check_uses_membership_and_go_sign():
    root = FIXTURES / "gene_sets"
    members = Memberships(
        root / "go_tiny.gmt", [root / "reactome_tiny.gmt"], [root / "kegg2016_tiny.gmt"]
    )
    table = pd.DataFrame(
        {
            "gene": ["PTEN", "PTEN", "AKT1", "AKT1", "AKT1"],
            "role": ["inhibitor", "activator", "activator", "activator", "activator"],
            "reference": [
                "GO:0051898;R-HSA-1257604",
                "GO:0051898",
                "KEGG:hsa04151",
                "GO:0051898",
                "GO:0099999;PMID:1",
            ],
        }
    )
    report = check_reference_support(table, Path("r.tsv"), members, regulator_sign)
    assert report == [
        "r.tsv:3: GO:0051898 (negative regulation of protein kinase B signaling) contradicts "
        "role activator",
        "r.tsv:5: GO:0051898 does not contain AKT1",
        "r.tsv:5: GO:0051898 (negative regulation of protein kinase B signaling) contradicts "
        "role activator",
        "r.tsv:6: GO:0099999 is in none of the reference libraries",
    ]


def test_mirbase_check_follows_former_names_and_drops_dead_entries():
    names = mirbase_names(FIXTURES / "mature_tiny.fa", FIXTURES / "mirbase_history_tiny.tsv")
    mirnas = ["miR-9001", "miR-9001-5p", "miR-9002", "miR-9003", "miR-9004", "let-7z"]
    assert unresolvable(mirnas, names) == ["miR-9003", "miR-9004", "let-7z"]


def test_hgnc_symbols_are_read_from_the_official_layout():
    approved = read_hgnc_symbols(FIXTURES / "hgnc_tiny.txt")
    assert approved == {"PTEN", "AKT1", "BBC3"}
    assert unknown_symbols({"t.tsv": ["PTEN", "PUMA", ""]}, approved) == [
        "t.tsv: PUMA is not an approved HGNC symbol"
    ]


# -- against the real reference data ----------------------------------------------------------


@pytest.mark.realdata
def test_quotes_are_verbatim_in_the_reviews(seeds_dir: Path):
    texts = review_texts(seeds_dir)
    assert set(texts) == set(REVIEW_MARKERS), f"reviews found: {sorted(texts)}"
    path = CURATED / "msc_exosome_literature.tsv"
    problems = check_quotes(curated(path.name), path, texts)
    assert not problems, "\n".join(problems)


@pytest.mark.realdata
def test_gene_symbols_are_approved(reference_dir: Path):
    approved = read_hgnc_symbols(reference_dir / "hgnc" / "hgnc_complete_set.txt.gz")
    problems = unknown_symbols(
        {
            "pathway_regulators.tsv": curated("pathway_regulators.tsv")["gene"],
            "gene_roles.tsv": curated("gene_roles.tsv")["gene"],
            "msc_exosome_literature.tsv": curated("msc_exosome_literature.tsv")["target_gene"],
        },
        approved,
    )
    assert not problems, "\n".join(problems)


@pytest.mark.realdata
def test_default_mirnas_are_in_the_current_mirbase(reference_dir: Path):
    """The default sheet must not stop the name stage: every miRNA has a current entry."""
    names = mirbase_names(
        reference_dir / "mirbase" / "mature.fa.gz",
        reference_dir / "mirbase" / "hsa_mature_history_miRBase_v6-v22.tsv.gz",
    )
    missing = unresolvable(curated("mirna_sets.tsv")["mirna"], names)
    assert not missing, f"not in the current miRBase release: {missing}"


@pytest.mark.realdata
def test_references_contain_their_genes(memberships: Memberships):
    problems = check_reference_support(
        curated("pathway_regulators.tsv"),
        CURATED / "pathway_regulators.tsv",
        memberships,
        regulator_sign,
    )
    problems += check_reference_support(
        curated("gene_roles.tsv"), CURATED / "gene_roles.tsv", memberships, gene_role_sign
    )
    assert not problems, "\n".join(problems)


@pytest.mark.realdata
def test_every_focus_term_matches_a_real_library(reference_dir: Path):
    libraries = _libraries(reference_dir)
    assert libraries, f"no gene-set libraries under {reference_dir / 'gene_sets'}"
    missing = unmatched_focus_terms(focus_data(), library_keys(libraries))
    assert not missing, "focus terms that match no library term: " + "; ".join(
        f"{key}: {terms}" for key, terms in missing.items()
    )
