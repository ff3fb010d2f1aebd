"""Property-based fuzzing of the HTTP API from its own OpenAPI document (schemathesis).

Bounded (a few examples per operation) so that it stays a few seconds in `make test`:
no 5xx for anything, and every answer matches the documented schema and status codes.
"""

from __future__ import annotations

import pytest

from engramdb import Memory

from _server import running

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance,  # noqa: E402
                                               response_schema_conformance,
                                               status_code_conformance)
from schemathesis.checks import not_a_server_error  # noqa: E402



@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx, value):  # the import body: sent as text, whatever was generated
    return {"data": value if isinstance(value, bytes) else str(value).encode("utf-8")}


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    from engramdb.server import KeyStore, create_app

    memory = Memory(tmp_path_factory.mktemp("fuzz") / "f.db", embedder="fake")
    token = KeyStore(memory.store).create(prefix="", scopes=["read", "write", "admin"]).token
    memory.add("I moved to Berlin last May.", user_id="ana")
    with running(create_app(memory, max_body_bytes=256 << 10)) as url:
        yield url, token
    memory.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_server):
    url, _ = fuzz_server
    return schemathesis.openapi.from_url(f"{url}/openapi.json")


def fuzz(operation, mode, url, token) -> None:
    from schemathesis import GenerationMode

    @settings(max_examples=5, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy(generation_mode=GenerationMode(mode)))
    def run(case):
        case.call_and_validate(base_url=url, headers={"authorization": f"Bearer {token}"},
                               checks=CHECKS)
    try:
        run()
    except Unsatisfiable:  # nothing to negate (an operation without inputs)
        assert mode == "negative"


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_5xx_and_answers_match_the_schema(api_schema, fuzz_server, mode):
    url, token = fuzz_server
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        fuzz(operation, mode, url, token)
    import httpx

    metrics = httpx.get(f"{url}/metrics", headers={"authorization": f"Bearer {token}"}).text
    served = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                 if line.startswith("engram_requests_total"))
    assert served >= 2 * len(operations)  # the fuzzer did reach the server
    assert 'status="5' not in metrics
