"""Web-service clients: mygene and the Enrichr/MSigDB downloaders against a local server."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from http_server import HTTP_DATA, LocalServer, unused_url

from exomir.download import read_lock, sha256_file
from exomir.errors import (
    ChecksumError,
    ConfigError,
    DownloadError,
    InputError,
    ReferenceFormatError,
)
from exomir.webservices import MyGeneClient, download_enrichr_library, download_msigdb_gmt

pytestmark = pytest.mark.network

KEGG_KEY = "references.gene_sets.KEGG_2021_Human"


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def client(url: str, cache_dir, **kwargs) -> MyGeneClient:
    return MyGeneClient(url=url, cache_dir=cache_dir, delay=0, timeout=2, **kwargs)


# ---------------------------------------------------------------------------------------------
# MyGene.info


def test_query_symbols_resolves_and_caches(tmp_path):
    symbols = ["TP53", "p53", " PTEN ", "TEP1", "AIP1", "NOTAGENE", "TP53"]
    with LocalServer() as server:
        url = server.url + "/v3"
        first = client(url, tmp_path).query_symbols(symbols)
        assert server.count("/v3/query/") == 1  # one batched request for all new queries

    assert first.columns.tolist() == ["query", "symbol", "entrez_id", "status"]
    assert first.to_dict("records") == [
        {"query": "TP53", "symbol": "TP53", "entrez_id": "7157", "status": "ok"},
        {"query": "p53", "symbol": "TP53", "entrez_id": "7157", "status": "ok"},
        {"query": "PTEN", "symbol": "PTEN", "entrez_id": "5728", "status": "ok"},
        # TEP1 is an approved symbol and also an alias of PTEN: the approved symbol wins.
        {"query": "TEP1", "symbol": "TEP1", "entrez_id": "7011", "status": "ok"},
        # AIP1 is an alias of two genes: both are listed, aligned, ordered by symbol.
        {
            "query": "AIP1",
            "symbol": "DAB2IP;PDCD6IP",
            "entrez_id": "153090;10015",
            "status": "ambiguous",
        },
        {"query": "NOTAGENE", "symbol": "", "entrez_id": "", "status": "unknown"},
    ]

    # The server is gone: the same queries are answered from the cache.
    again = client(url, tmp_path).query_symbols(["AIP1", "TP53", "NOTAGENE"])
    assert again["status"].tolist() == ["ambiguous", "ok", "unknown"]
    cache = json.loads(next(tmp_path.glob("mygene_human_*.json")).read_text())
    assert sorted(cache["queries"]) == sorted({s.strip() for s in symbols})


def test_cache_only_asks_for_new_queries(server, tmp_path):
    mygene = client(server.url + "/v3", tmp_path)
    mygene.query_symbols(["TP53"])
    mygene.query_symbols(["TP53", "MTOR"])
    mygene.query_symbols(["MTOR", "TP53"])
    assert server.count("/v3/query/") == 2
    posted = [p for m, p in server.requests if m == "POST"]
    assert len(posted) == 2


def test_species_selects_the_organism(server, tmp_path):
    human = client(server.url + "/v3", tmp_path).query_symbols(["p53"])
    mouse = client(server.url + "/v3", tmp_path, species="mouse").query_symbols(["p53"])
    assert human["symbol"].tolist() == ["TP53"]
    assert mouse[["symbol", "entrez_id"]].values.tolist() == [["Trp53", "22059"]]


def test_without_cache_dir_every_call_asks(server):
    mygene = MyGeneClient(url=server.url + "/v3", cache_dir=None, delay=0, timeout=2)
    mygene.query_symbols(["TP53"])
    mygene.query_symbols(["TP53"])
    assert mygene.cache_path is None
    assert server.count("/v3/query/") == 2


def test_unreachable_service_names_url_cache_and_offline_route(tmp_path):
    url = unused_url() + "/v3"
    with pytest.raises(DownloadError) as caught:
        client(url, tmp_path).query_symbols(["TP53", "PTEN"])
    message = str(caught.value)
    assert url in message and "refused" in message
    assert "2 symbol(s) are not in the cache" in message and str(tmp_path) in message
    assert "HGNC" in message


def test_service_error_names_status(server, tmp_path):
    server.fail("/v3/query/", 500)
    with pytest.raises(DownloadError) as caught:
        client(server.url + "/v3", tmp_path).query_symbols(["TP53"])
    assert "HTTP 500" in str(caught.value) and server.url in str(caught.value)


def test_stalled_service_times_out(server, tmp_path):
    server.stall("/v3/query/", 3)
    mygene = MyGeneClient(url=server.url + "/v3", cache_dir=tmp_path, delay=0, timeout=0.3)
    with pytest.raises(DownloadError, match="timed out"):
        mygene.query_symbols(["TP53"])


def test_non_json_answer(tmp_path):
    root = tmp_path / "www"
    (root / "mygene").mkdir(parents=True)
    (root / "mygene" / "genes.json").write_text("[]")
    with LocalServer(root) as server:
        server.fail("/v3/query/", 200)  # answers "OK" as plain text
        with pytest.raises(DownloadError, match="not JSON"):
            client(server.url + "/v3", tmp_path).query_symbols(["TP53"])


@pytest.mark.parametrize(
    ("symbols", "fragment"),
    [(["TP53", ""], "number 2 is empty"), (["A,B"], "contains ','"), ([None], "not text")],
)
def test_bad_symbols(tmp_path, symbols, fragment):
    with pytest.raises(InputError) as caught:
        client(unused_url(), tmp_path).query_symbols(symbols)
    assert fragment in str(caught.value)


def test_corrupt_cache_names_file(tmp_path):
    mygene = client(unused_url(), tmp_path)
    mygene.cache_path.write_text("{not json")
    with pytest.raises(InputError) as caught:
        mygene.query_symbols(["TP53"])
    assert str(mygene.cache_path) in str(caught.value)
    assert "delete the file" in str(caught.value).lower()


def test_bad_species():
    with pytest.raises(ConfigError, match="species"):
        MyGeneClient(species="homo sapiens/../x")


# ---------------------------------------------------------------------------------------------
# Enrichr

KEGG_GMT = (
    "PI3K-Akt signaling pathway\t\tAKT1\tPTEN\tMTOR\tPIK3CA\n"
    "mTOR signaling pathway\t\tMTOR\tAKT1\tRPTOR\n"
    "Wnt signaling pathway\t\tCTNNB1\tGSK3B\tWNT3A\n"
)


def test_enrichr_library_written_as_gmt_and_recorded(server, tmp_path):
    dest = tmp_path / "gene_sets" / "KEGG_2021_Human" / "2021" / "gmt"
    lock = tmp_path / "checksums.lock"

    result = download_enrichr_library(
        "KEGG_2021_Human", dest, key=KEGG_KEY, base_url=server.url, lock_file=lock, retries=0
    )

    assert dest.read_text() == KEGG_GMT
    assert (result.n_sets, result.n_genes) == (3, 8)
    assert result.empty_terms == ("Term without genes",)
    assert result.download.sha256 == sha256_file(dest)
    assert result.download.recorded is True
    row = read_lock(lock).iloc[0]
    assert row["key"] == KEGG_KEY and row["version"] == "KEGG_2021_Human"
    assert row["sha256"] == sha256_file(dest)
    assert row["url"].endswith("/Enrichr/geneSetLibrary?mode=text&libraryName=KEGG_2021_Human")
    assert sorted(p.name for p in dest.parent.iterdir()) == ["gmt"]  # no temporary files left

    second = download_enrichr_library(
        "KEGG_2021_Human", dest, key=KEGG_KEY, base_url=server.url, lock_file=lock, retries=0
    )
    assert second.download.recorded is False
    assert server.count("/Enrichr/geneSetLibrary") == 2


def test_enrichr_weights_are_dropped(server, tmp_path):
    dest = tmp_path / "encode.gmt"
    result = download_enrichr_library(
        "ENCODE_TF_ChIP-seq_2015", dest, key="gene_sets.encode", base_url=server.url
    )
    assert dest.read_text() == (
        "TP53 ENCODE\t\tCDKN1A\tMDM2\tBAX\nRELA ENCODE\t\tNFKBIA\tTNFAIP3\n"
    )
    assert result.empty_terms == ()


def test_enrichr_configured_checksum_is_of_the_gmt(server, tmp_path):
    expected = hashlib.sha256(KEGG_GMT.encode()).hexdigest()
    result = download_enrichr_library(
        "KEGG_2021_Human", tmp_path / "kegg.gmt", key=KEGG_KEY, base_url=server.url, sha256=expected
    )
    assert result.download.sha256 == expected
    with pytest.raises(ChecksumError) as caught:
        download_enrichr_library(
            "KEGG_2021_Human",
            tmp_path / "k2.gmt",
            key=KEGG_KEY,
            base_url=server.url,
            sha256="1" * 64,
        )
    assert expected in str(caught.value) and f"`{KEGG_KEY}.sha256`" in str(caught.value)
    assert not (tmp_path / "k2.gmt").exists()


def test_enrichr_unknown_library_suggests_names(server, tmp_path):
    lock = tmp_path / "checksums.lock"
    with pytest.raises(ReferenceFormatError) as caught:
        download_enrichr_library(
            "KEGG_2021_Humna", tmp_path / "x.gmt", key=KEGG_KEY, base_url=server.url, lock_file=lock
        )
    message = str(caught.value)
    assert "no gene sets for library 'KEGG_2021_Humna'" in message
    assert "'KEGG_2021_Human'" in message and f"`{KEGG_KEY}`" in message
    assert not (tmp_path / "x.gmt").exists() and not lock.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_enrichr_error_page_is_not_a_library(tmp_path):
    root = tmp_path / "www"
    (root / "enrichr" / "Enrichr").mkdir(parents=True)
    (root / "enrichr" / "Enrichr" / "Broken.txt").write_text("<html><body>Error</body></html>\n")
    with LocalServer(root) as server, pytest.raises(ReferenceFormatError) as caught:
        download_enrichr_library("Broken", tmp_path / "b.gmt", key="gs.broken", base_url=server.url)
    assert "not a gene-set line" in str(caught.value) and "line 1" in str(caught.value)


def test_enrichr_server_gone(tmp_path):
    with pytest.raises(DownloadError) as caught:
        download_enrichr_library(
            "KEGG_2021_Human", tmp_path / "k.gmt", key=KEGG_KEY, base_url=unused_url(), retries=0
        )
    message = str(caught.value)
    assert "refused" in message
    # the form the schema accepts for a local copy of the library, and no temporary path
    assert (
        f'`{KEGG_KEY}: {{format: gmt, version: "KEGG_2021_Human", '
        "files: {gmt: {path: /path/to/KEGG_2021_Human.txt}}}`"
    ) in message
    assert ".path`" not in message
    assert str(tmp_path / "k.gmt") in message
    assert "library.txt" not in message and ".k.gmt." not in message


def test_enrichr_organism_and_name_are_checked(tmp_path):
    with pytest.raises(ConfigError, match="organism"):
        download_enrichr_library("KEGG_2021_Human", tmp_path / "k.gmt", key="k", organism="Moon")
    with pytest.raises(ConfigError, match="library name"):
        download_enrichr_library("../etc/passwd", tmp_path / "k.gmt", key="k")


def test_enrichr_fly_uses_fly_instance(tmp_path):
    root = tmp_path / "www"
    (root / "enrichr" / "FlyEnrichr").mkdir(parents=True)
    (root / "enrichr" / "FlyEnrichr" / "KEGG_2019.txt").write_text("Wnt\t\twg\tarm\n")
    with LocalServer(root) as server:
        download_enrichr_library(
            "KEGG_2019", tmp_path / "fly.gmt", key="k", organism="Fly", base_url=server.url
        )
        assert server.count("/FlyEnrichr/geneSetLibrary") == 1
    assert (tmp_path / "fly.gmt").read_text() == "Wnt\t\twg\tarm\n"


# ---------------------------------------------------------------------------------------------
# MSigDB

HALLMARK = HTTP_DATA / "msigdb" / "release" / "2024.1.Hs" / "h.all.v2024.1.Hs.symbols.gmt"


def test_msigdb_gmt_downloaded_as_served(server, tmp_path):
    dest = tmp_path / "h.gmt"
    lock = tmp_path / "checksums.lock"
    result = download_msigdb_gmt(
        "h.all",
        "2024.1.Hs",
        dest,
        key="references.gene_sets.hallmark",
        base_url=server.url + "/msigdb/release/",
        lock_file=lock,
    )
    assert dest.read_bytes() == HALLMARK.read_bytes()
    assert (result.n_sets, result.n_genes, result.empty_terms) == (2, 7, ())
    row = read_lock(lock).iloc[0]
    assert row["version"] == "2024.1.Hs"
    assert row["url"] == server.url + "/msigdb/release/2024.1.Hs/h.all.v2024.1.Hs.symbols.gmt"


def test_msigdb_unknown_category_is_404(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_msigdb_gmt(
            "c99.none",
            "2024.1.Hs",
            tmp_path / "x.gmt",
            key="k",
            base_url=server.url + "/msigdb/release",
            retries=0,
        )


def test_msigdb_web_page_is_rejected(tmp_path):
    root = tmp_path / "www"
    release = root / "2024.1.Hs"
    release.mkdir(parents=True)
    (release / "h.all.v2024.1.Hs.symbols.gmt").write_text("<!DOCTYPE html>\n<html></html>\n")
    with LocalServer(root) as server, pytest.raises(ReferenceFormatError) as caught:
        download_msigdb_gmt("h.all", "2024.1.Hs", tmp_path / "h.gmt", key="k", base_url=server.url)
    assert "line 1" in str(caught.value)
    assert not (tmp_path / "h.gmt").exists()


@pytest.mark.parametrize(
    ("category", "dbver", "fragment"),
    [("h.all", "2024.1", "YYYY.N.Hs"), ("../h", "2024.1.Hs", "not a valid name")],
)
def test_msigdb_arguments_are_checked(tmp_path, category, dbver, fragment):
    with pytest.raises(ConfigError) as caught:
        download_msigdb_gmt(category, dbver, tmp_path / "h.gmt", key="references.gene_sets.h")
    assert fragment in str(caught.value) and "`references.gene_sets.h`" in str(caught.value)


# ------------------------------------------------------------------- RefSeq -> gene (online) --


def test_mygene_refseq_lookup_is_cached_and_matches_gene2refseq_layout(tmp_path):
    accessions = ["NM_001304717.5", "XM_047425140.1", "NM_001014431", "NR_999990.1", "NM_123456.1"]
    with LocalServer() as server:
        client = MyGeneClient(
            url=server.url + "/v3", cache_dir=tmp_path, scopes=("refseq.rna",), delay=0, timeout=2
        )
        table = client.query_refseq(accessions)
        asked = sum(1 for method, _ in server.requests if method == "POST")
    assert list(table.columns) == ["refseq", "entrez_id"]
    assert set(zip(table["refseq"], table["entrez_id"], strict=True)) == {
        ("NM_001304717", "5728"),
        ("XM_047425140", "5728"),
        ("NM_001014431", "207"),
        ("NR_999990", "207"),  # an accession of two genes: both rows, ambiguous downstream
        ("NR_999990", "2475"),
    }
    assert asked == 1
    # no server: the cache answers every accession asked before
    offline = MyGeneClient(
        url=unused_url() + "/v3", cache_dir=tmp_path, scopes=("refseq.rna",), delay=0, timeout=2
    )
    pd.testing.assert_frame_equal(offline.query_refseq(accessions), table)
    with pytest.raises(DownloadError, match=r"cannot reach MyGene\.info"):
        offline.query_refseq(["NM_004958.4"])


def test_mygene_refseq_lookup_needs_the_refseq_scope(tmp_path):
    with pytest.raises(ConfigError, match="scopes"):
        MyGeneClient(cache_dir=tmp_path).query_refseq(["NM_000314"])
