"""A continuous-batching sampler over one loaded causal LM.

Requests queue up; a worker thread keeps up to `max_batch` rows decoding together with a shared,
left-padded KV cache. When rows finish (stop token or length) they leave the batch at once and
waiting prompts are prefilled as a group and merged into the free slots, so the batch stays full
while there is work.

Adapters: while every waiting row wants the same LoRA adapter (one eval, one checkpoint), the
worker serves that group with the adapter merged into the base weights
(`spillover.sampling.merged`), so a step costs what a base-model step costs: a plain LoRA
adapter is read from its safetensors and merged into the model's own linear layers, other kinds
go through peft's modules. When rows for several adapters wait at once (a sweep evaluating its
checkpoints together), they share one batch instead: each forward pass adds every row's own
adapter delta (`spillover.sampling.mixed`). A merged group that sees other adapters waiting
hands its unfinished rows over to a mixed batch.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spillover.errors import SpilloverError
from spillover.models.cache_arg import cache_argument
from spillover.sampling import kv
from spillover.sampling.merged import merged, merged_lora
from spillover.sampling.mixed import lora_problem
from spillover.sampling.pick import pick_tokens
from spillover.sampling.types import Completion, EngineStats, Request, TokenLogprob

if TYPE_CHECKING:
    from spillover.sampling.decode_gemm import DecodeLayout

_STOP_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<|endoftext|>", "<end_of_turn>")


def stop_token_ids(tokenizer: Any, model: Any) -> frozenset[int]:
    """End-of-turn token ids: the tokenizer's EOS, the generation config's EOS, chat end markers."""
    ids: set[int] = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    gen = getattr(model, "generation_config", None)
    eos = getattr(gen, "eos_token_id", None)
    if isinstance(eos, int):
        ids.add(eos)
    elif isinstance(eos, list | tuple):
        ids.update(int(e) for e in eos)
    vocab = tokenizer.get_vocab()
    ids.update(vocab[name] for name in _STOP_TOKENS if name in vocab)
    return frozenset(ids)


class _Row:
    __slots__ = ("future", "generator", "limit", "logprobs", "request", "tokens")

    def __init__(self, request: Request, future: Future[Completion], limit: int) -> None:
        import torch

        self.request = request
        self.future = future
        self.limit = limit
        self.tokens: list[int] = []
        self.logprobs: list[TokenLogprob] | None = [] if request.params.logprobs else None
        self.generator = torch.Generator().manual_seed(request.params.seed)


class Engine:
    """Continuous batching over `loaded.model`; thread-safe `submit` / `generate`."""

    def __init__(
        self,
        loaded: Any,
        max_batch: int = 32,
        refill_min: int | None = None,
        gather_seconds: float = 0.02,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be >= 1")
        self.loaded = loaded
        self.model: Any = loaded.model
        self.tokenizer: Any = loaded.tokenizer
        self.device: str = loaded.device
        self.max_batch = max_batch
        self.refill_min = refill_min if refill_min is not None else max(1, max_batch // 8)
        self.gather_seconds = gather_seconds
        self.stop_ids = stop_token_ids(self.tokenizer, self.model)
        self.context_limit = int(
            getattr(self.model.config, "max_position_embeddings", 0) or 1 << 30
        )
        self.pad_id = int(
            self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        )
        self.stats = EngineStats()
        self._scratch: Any = None  # float32 [max_batch, vocab]: where tokens are picked
        self._adapters: dict[str, str] = {}  # adapter directory -> its peft name
        self._unmixable: set[str | None] = set()  # adapters that must be served merged
        self._mixable: set[str] = set()
        # a model loaded with an adapter already attached keeps it as its "no adapter" behaviour
        self._own_adapter: str | None = (
            getattr(self.model, "active_adapter", None) if loaded.adapter else None
        )
        self._pending: deque[tuple[Request, Future[Completion]]] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        # how decode steps multiply by the model's weights (`decode_gemm`), known once it decodes
        self.decode_layout: DecodeLayout | None = None

    # -- public ---------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(self, request: Request) -> Future[Completion]:
        future: Future[Completion] = Future()
        with self._cond:
            if self._closed:
                raise SpilloverError("the sampling engine is closed")
            self._pending.append((request, future))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="spillover-sampler", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return future

    def generate(self, requests: list[Request]) -> list[Completion]:
        futures = [self.submit(r) for r in requests]
        return [f.result() for f in futures]

    def encode(self, text: str) -> tuple[int, ...]:
        return tuple(int(t) for t in self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)

    # -- worker ---------------------------------------------------------------------------------

    def _work(self) -> None:
        import torch

        from spillover.sampling.decode_gemm import decode_layout

        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed:
                    self._fail_pending(SpilloverError("the sampling engine was closed"))
                    return
            time.sleep(self.gather_seconds)  # let a burst of concurrent requests arrive
            with self._cond:
                adapter = self._pending[0][0].adapter
            mixing = False
            try:
                with torch.inference_mode(), _attention_backends(self.device):
                    if self.decode_layout is None:
                        self.decode_layout = decode_layout(self.model, self.max_batch, self.device)
                    batch = None
                    if not self._others_waiting(adapter):
                        with self._adapter_context(adapter):
                            batch = self._run_group(adapter)
                        if batch is None:
                            continue
                    mixing = True
                    self._run_mixed(batch)
            except BaseException as err:  # every waiting caller must hear of it
                self._fail_pending(err, adapter=adapter, every_group=mixing)

    def _fail_pending(
        self, err: BaseException, adapter: str | None = None, every_group: bool = True
    ) -> None:
        """Fail the waiting requests: all of them, or only those for `adapter`."""
        with self._cond:
            kept: deque[tuple[Request, Future[Completion]]] = deque()
            for request, future in self._pending:
                if every_group or request.adapter == adapter:
                    if not future.done():
                        future.set_exception(err)
                else:
                    kept.append((request, future))
            self._pending = kept

    def _take(
        self, adapter: str | None, count: int, mixing: bool = False
    ) -> list[tuple[Request, Future[Completion]]]:
        """Up to `count` waiting requests for `adapter` (`mixing`: for any adapter that mixes)."""
        taken: list[tuple[Request, Future[Completion]]] = []
        with self._cond:
            kept: deque[tuple[Request, Future[Completion]]] = deque()
            while self._pending:
                item = self._pending.popleft()
                wanted = self._mixes(item[0].adapter) if mixing else item[0].adapter == adapter
                if len(taken) < count and wanted:
                    taken.append(item)
                else:
                    kept.append(item)
            self._pending = kept
        return taken

    def _waiting(self, adapter: str | None, mixing: bool = False) -> int:
        with self._cond:
            if mixing:
                return sum(1 for r, _ in self._pending if self._mixes(r.adapter))
            return sum(1 for r, _ in self._pending if r.adapter == adapter)

    def _mixes(self, adapter: str | None) -> bool:
        return self._own_adapter is None and adapter not in self._unmixable

    def _can_mix(self, adapter: str | None) -> bool:
        """Whether `adapter`'s rows can go on in a mixed batch (its config and tensors are read
        once; an unmixable adapter is remembered)."""
        if not self._mixes(adapter):
            return False
        if adapter is None or adapter in self._mixable:
            return True
        if lora_problem(Path(adapter)) is None:
            self._mixable.add(adapter)
            return True
        self._unmixable.add(adapter)
        return False

    def _others_waiting(self, adapter: str | None) -> bool:
        """Whether rows for another adapter wait that could share a mixed batch with `adapter`'s."""
        if not self._mixes(adapter):
            return False
        with self._cond:
            return any(r.adapter != adapter and self._mixes(r.adapter) for r, _ in self._pending)

    # -- adapters -------------------------------------------------------------------------------

    def _adapter_context(self, adapter: str | None) -> contextlib.AbstractContextManager[Any]:
        """Serve `adapter` (None: the model as loaded) while the batch decodes, merged into the
        base weights where it can be (`spillover.sampling.merged`)."""
        from peft import PeftModel

        if adapter is None:
            if self._own_adapter is not None:
                self.model.set_adapter(self._own_adapter)
                return merged(self.model, self._own_adapter)
            if isinstance(self.model, PeftModel):
                return self.model.disable_adapter()  # type: ignore[no-any-return]
            return contextlib.nullcontext()
        if self._can_mix(adapter):  # plain LoRA: merged without peft's modules
            return merged_lora(self.model, Path(adapter))
        name = self._adapters.get(adapter)
        if name is None:
            path = Path(adapter)
            if not (path / "adapter_config.json").is_file():
                raise SpilloverError(f"{path} is not a LoRA adapter: it has no adapter_config.json")
            name = f"adapter{len(self._adapters)}"
            if isinstance(self.model, PeftModel):
                self.model.load_adapter(str(path), adapter_name=name, is_trainable=False)
            else:
                self.model = PeftModel.from_pretrained(
                    self.model, str(path), adapter_name=name, is_trainable=False
                )
            self.model.eval()
            self._adapters[adapter] = name
        self.model.set_adapter(name)
        return merged(self.model, name)

    # -- the batch loop -------------------------------------------------------------------------

    def _run_group(self, adapter: str | None) -> _Batch | None:
        """Decode `adapter`'s rows until none are left; returns the unfinished batch instead
        when rows for other adapters are waiting for free slots (they go on mixed)."""
        batch = _Batch(self)
        with self._decoding(batch):
            return self._drive(
                batch,
                waiting=lambda: self._waiting(adapter),
                take=lambda free: self._take(adapter, free),
                hand_over=lambda: self._others_waiting(adapter) and self._can_mix(adapter),
            )

    def _run_mixed(self, batch: _Batch | None) -> None:
        """Decode rows of every mixable adapter together (continuing `batch` if given) until
        none are left."""
        from spillover.sampling.mixed import mixed

        batch = batch or _Batch(self)
        with self._decoding(batch), mixed(self.model) as session:
            handed_over = {r.request.adapter for r in batch.rows if r.request.adapter}
            for adapter in sorted(handed_over):  # rows a merged group handed over
                why = session.add(adapter, Path(adapter))
                if why is not None:
                    raise SpilloverError(f"adapter {adapter} cannot go on mixed: {why}")
            batch.mixer = session
            try:
                self._drive(
                    batch,
                    waiting=lambda: self._waiting(None, mixing=True),
                    take=lambda free: self._ready_to_mix(
                        self._take(None, free, mixing=True), session
                    ),
                )
            finally:
                batch.mixer = None

    @contextlib.contextmanager
    def _decoding(self, batch: _Batch) -> Iterator[None]:
        """Count the time spent in `stats.seconds`; on an error, every row of `batch` hears of it."""
        started = time.perf_counter()
        try:
            yield
        except BaseException as err:
            batch.fail(err)
            raise
        finally:
            self.stats.seconds += time.perf_counter() - started

    def _drive(
        self,
        batch: _Batch,
        waiting: Callable[[], int],
        take: Callable[[int], list[tuple[Request, Future[Completion]]]],
        hand_over: Callable[[], bool] = lambda: False,
    ) -> _Batch | None:
        """The decode loop: refill free slots with `take` (once enough are free for what is
        `waiting`), step, until nothing is left (None), or return the batch when `hand_over`
        says its rows should go on elsewhere."""
        while True:
            free = self.max_batch - len(batch.rows)
            if free > 0 and (not batch.rows or free >= min(self.refill_min, waiting())):
                if batch.rows and hand_over():
                    return batch
                taken = take(free)
                if taken:
                    batch.admit(taken)
            left = waiting()
            if not batch.rows:
                if left == 0:
                    return None
                continue
            batch.step(queued=left > 0)

    def _ready_to_mix(
        self, taken: list[tuple[Request, Future[Completion]]], session: Any
    ) -> list[tuple[Request, Future[Completion]]]:
        """Read the adapters of `taken` into the mixed session; requests whose adapter is not
        an adapter fail, those whose adapter cannot be mixed go back to the queue (served later
        one adapter at a time)."""
        ready: list[tuple[Request, Future[Completion]]] = []
        back: list[tuple[Request, Future[Completion]]] = []
        for request, future in taken:
            if request.adapter is None:
                ready.append((request, future))
                continue
            try:
                why = session.add(request.adapter, Path(request.adapter))
            except Exception as err:  # this adapter's callers hear of it; the batch goes on
                future.set_exception(err)
                self._fail_pending(err, adapter=request.adapter, every_group=False)
                continue
            if why is None:
                ready.append((request, future))
            else:
                self._unmixable.add(request.adapter)
                back.append((request, future))
        if back:
            with self._cond:
                self._pending.extendleft(reversed(back))
        return ready

    def _finish(self, row: _Row, reason: str) -> None:
        text = self.tokenizer.decode(row.tokens, skip_special_tokens=True)
        completion = Completion(
            text=text,
            token_ids=row.tokens,
            finish_reason="stop" if reason == "stop" else "length",
            prompt_tokens=len(row.request.prompt_ids),
            logprobs=row.logprobs,
        )
        self.stats.generated_tokens += len(row.tokens)
        if not row.future.done():
            row.future.set_result(completion)

    def _choose(self, logits: Any, rows: list[_Row]) -> tuple[Any, list[bool]]:
        """Pick a token per row from its logits (the model's dtype), record it, and say which
        rows are now finished."""
        import torch

        params = [r.request.params for r in rows]
        vocab = logits.shape[-1]
        if self._scratch is None or self._scratch.shape[1] != vocab:
            self._scratch = torch.empty(
                (self.max_batch, vocab), dtype=torch.float32, device=logits.device
            )
        tokens = pick_tokens(logits, params, [r.generator for r in rows], self._scratch)
        want_lp = [i for i, r in enumerate(rows) if r.logprobs is not None]
        logp = torch.log_softmax(logits[want_lp].float(), dim=-1) if want_lp else None
        ids = tokens.tolist()
        done: list[bool] = []
        for i, row in enumerate(rows):
            token = int(ids[i])
            if token in self.stop_ids:
                self._finish(row, "stop")
                done.append(True)
                continue
            row.tokens.append(token)
            if logp is not None and row.logprobs is not None:
                row.logprobs.append(
                    self._logprob(logp[want_lp.index(i)], token, row.request.params.top_logprobs)
                )
            if len(row.tokens) >= row.limit:
                self._finish(row, "length")
                done.append(True)
            else:
                done.append(False)
        return tokens, done

    def _logprob(self, logp: Any, token: int, top: int) -> TokenLogprob:
        convert = self.tokenizer.convert_ids_to_tokens
        alternatives: tuple[tuple[str, float], ...] = ()
        if top > 0:
            values, indices = logp.topk(min(top, logp.shape[-1]))
            alternatives = tuple(
                (str(convert(int(t))), float(v)) for v, t in zip(values, indices, strict=True)
            )
        return TokenLogprob(token=str(convert(token)), logprob=float(logp[token]), top=alternatives)


class _Batch:
    """The rows decoding together, their shared KV cache and per-row mask and positions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: list[_Row] = []
        self.cache: Any = None
        self.mask: Any = None  # LongTensor [rows, cache width]
        self.next_pos: Any = None  # LongTensor [rows]: the position of the token fed next
        self.last: Any = None  # LongTensor [rows]: the token fed next
        self.mixer: Any = None  # a MixedLora while rows of several adapters share the batch

    def fail(self, err: BaseException) -> None:
        for row in self.rows:
            if not row.future.done():
                row.future.set_exception(err)

    def _forward(self, rows: list[_Row], **inputs: Any) -> Any:
        if self.mixer is not None:
            self.mixer.set_rows([r.request.adapter for r in rows])
        return self.engine.model(**inputs)

    def admit(self, items: list[tuple[Request, Future[Completion]]]) -> None:
        import torch
        from transformers import DynamicCache

        engine = self.engine
        rows: list[_Row] = []
        for request, future in items:
            limit = min(
                request.params.max_new_tokens, engine.context_limit - len(request.prompt_ids)
            )
            if not request.prompt_ids or limit < 1:
                future.set_exception(
                    SpilloverError(
                        f"prompt of {len(request.prompt_ids)} tokens leaves no room to generate "
                        f"(context limit {engine.context_limit})"
                    )
                )
                continue
            rows.append(_Row(request, future, limit))
        if not rows:
            return
        # Identical prompts (N answers to one question) are prefilled once; their rows then
        # share the cached keys and values, and each draws its own tokens from there.
        firsts: dict[tuple[str | None, tuple[int, ...]], int] = {}
        source = [
            firsts.setdefault((r.request.adapter, r.request.prompt_ids), len(firsts)) for r in rows
        ]
        distinct = [rows[source.index(k)] for k in range(len(firsts))]
        length = max(len(r.request.prompt_ids) for r in distinct)
        ids = torch.full((len(distinct), length), engine.pad_id, dtype=torch.long)
        mask = torch.zeros((len(distinct), length), dtype=torch.long)
        for i, row in enumerate(distinct):
            prompt = row.request.prompt_ids
            ids[i, length - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
            mask[i, length - len(prompt) :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        cache = DynamicCache()
        out = self._forward(
            distinct,
            input_ids=ids.to(engine.device),
            attention_mask=mask.to(engine.device),
            position_ids=positions.to(engine.device),
            **cache_argument(cache),
            use_cache=True,
            # The index tensor (not logits_to_keep=1) hands the output head a contiguous
            # [rows, 1, hidden] copy. A strided slice sends torch.matmul down its batched path,
            # which materialises the head's weight once per row: 1.6 s of a 2.8 s prefill of 32
            # prompts for SmolLM2 on this CPU, rows x 272 MB copied for Qwen's 152k vocabulary.
            logits_to_keep=torch.tensor([length - 1], device=engine.device),
        )
        engine.stats.prefills += 1
        engine.stats.prefill_tokens += int(mask.sum())
        kv.zero_padding(cache, mask.to(engine.device))
        logits = out.logits[:, -1]
        if len(distinct) < len(rows):
            logits = logits.index_select(0, torch.tensor(source, device=logits.device))
        tokens, done = engine._choose(logits, rows)
        keep = [i for i, d in enumerate(done) if not d]
        if not keep:
            return
        index = torch.tensor(keep, dtype=torch.long)
        cache_index = torch.tensor([source[i] for i in keep], dtype=torch.long)
        if not torch.equal(cache_index, torch.arange(len(distinct))):
            kv.select_rows(cache, cache_index.to(engine.device))
        mask = mask.index_select(0, cache_index).to(engine.device)
        next_pos = mask.sum(-1)
        last = tokens.to("cpu").index_select(0, index).to(engine.device)
        rows = [rows[i] for i in keep]
        if not self.rows:
            self.cache, self.mask, self.next_pos, self.last, self.rows = (
                kv.slotted(cache, engine.max_batch),
                mask,
                next_pos,
                last,
                rows,
            )
            return
        current = self.mask.shape[1]
        if current < length:
            kv.pad_left(self.cache, length - current)
            self.mask = torch.nn.functional.pad(self.mask, (length - current, 0))
        elif length < current:
            kv.pad_left(cache, current - length)
            mask = torch.nn.functional.pad(mask, (current - length, 0))
        kv.append_rows(self.cache, cache)
        self.mask = torch.cat([self.mask, mask])
        self.next_pos = torch.cat([self.next_pos, next_pos])
        self.last = torch.cat([self.last, last])
        self.rows.extend(rows)

    def step(self, queued: bool = False) -> None:
        """One decode step for every row; `queued`: answers are waiting for a slot."""
        import torch

        engine = self.engine
        count = len(self.rows)
        ones = torch.ones((count, 1), dtype=self.mask.dtype, device=self.mask.device)
        self.mask = torch.cat([self.mask, ones], dim=1)
        out = self._forward(
            self.rows,
            input_ids=self.last[:, None],
            attention_mask=self.mask,
            position_ids=self.next_pos[:, None],
            **cache_argument(self.cache),
            use_cache=True,
        )
        self.next_pos = self.next_pos + 1
        stats = engine.stats
        stats.decode_steps += 1
        stats.row_steps += count
        stats.slot_capacity += engine.max_batch
        if queued:
            stats.queued_row_steps += count
            stats.queued_capacity += engine.max_batch
        if self.mixer is not None and len({r.request.adapter for r in self.rows}) > 1:
            stats.mixed_steps += 1
        stats.kv_cells += count * self.mask.shape[1]
        stats.kv_real += int(self.mask.sum())
        tokens, done = engine._choose(out.logits[:, -1], self.rows)
        self.last = tokens.to(self.mask.device)
        if any(done):
            keep = _fill_holes([i for i, d in enumerate(done) if not d])
            self.rows = [self.rows[i] for i in keep]
            if not keep:
                self.cache = self.mask = self.next_pos = self.last = None
                return
            index = torch.tensor(keep, dtype=torch.long, device=self.mask.device)
            kv.select_rows(self.cache, index)
            self.mask = self.mask.index_select(0, index)
            self.next_pos = self.next_pos.index_select(0, index)
            self.last = self.last.index_select(0, index)
            used = self.mask.any(dim=0).nonzero()
            lead = int(used[0]) if used.numel() else 0
            if lead:
                kv.trim_left(self.cache, lead)
                self.mask = self.mask[:, lead:]


def _fill_holes(keep: list[int]) -> list[int]:
    """The rows to keep (ascending indices), ordered so that few change slot: the slots of
    finished rows are taken by the last rows, the others stay where they are."""
    count = len(keep)
    kept = set(keep)
    order = list(range(count))
    holes = [slot for slot in order if slot not in kept]
    for slot, row in zip(holes, (r for r in keep if r >= count), strict=True):
        order[slot] = row
    return order


def _attention_backends(device: str) -> contextlib.AbstractContextManager[Any]:
    """On CUDA, keep SDPA off its cuDNN kernel while decoding. The cache grows by one column
    per step, and cuDNN builds a plan for every new length: on an H100 (torch 2.11) that made
    decoding 2.8-3.4x slower than flash / memory-efficient attention (docs/gpu-check.md)."""
    if not str(device).startswith("cuda"):
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel(
        [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]
    )
