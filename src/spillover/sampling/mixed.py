"""Decode rows with different LoRA adapters in one batch (what vLLM's multi-LoRA does).

A checkpoint sweep asks the same base model for answers under many adapters at once. Merging
(`spillover.sampling.merged`) serves one adapter at a time; `mixed(model)` instead leaves the
base weights alone, switches off any LoRA branches peft has attached, and hooks each targeted
base linear so that it adds to every row's output that row's adapter delta
x @ A^T @ (scale * B)^T. One forward pass then serves every adapter in the batch, and rows with
no adapter get the base model.

Adapters are read straight from their `adapter_model.safetensors` (`read_lora`): no peft
modules are injected, which takes peft about half a second per adapter for a 135M model. Only
plain LoRA on linear layers is read this way: a config that asks for anything else (DoRA,
rank or alpha patterns, biases, extra trainable modules, fan-in-fan-out weights, any variant
this module does not know) makes the adapter unmixable, and the engine serves it one adapter
at a time through peft instead.

The deltas are computed in float32, as peft computes them for float32 adapter weights (small
float32 matmuls are also 2-3x faster than bfloat16 ones on a CPU), and added to the layer's
output in the model's dtype; mixed and merged decoding agree to that rounding, not bit for bit.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from spillover.errors import SpilloverError

# adapter_config.json fields that do not change a plain LoRA forward pass (r, alpha and rslora
# are read); every other field must be empty, false or None for the adapter to be mixed
_NEUTRAL_FIELDS = frozenset(
    {
        "r",
        "lora_alpha",
        "use_rslora",
        "target_modules",
        "exclude_modules",
        "layers_to_transform",
        "layers_pattern",
        "lora_dropout",
        "init_lora_weights",
        "loftq_config",
        "eva_config",
        "corda_config",
        "lora_ga_config",
        "base_model_name_or_path",
        "revision",
        "task_type",
        "inference_mode",
        "peft_type",
        "peft_version",
        "auto_mapping",
        "megatron_core",
        "qalora_group_size",
        "ensure_weight_tying",
        "bias",
    }
)
_PREFIX = "base_model.model."


def lora_problem(path: Path) -> str | None:
    """Why the adapter in `path` cannot be mixed (None: it can), from its config and tensor
    names alone (nothing is loaded)."""
    return _checked_config(path)[1]


def _checked_config(path: Path) -> tuple[dict[str, Any], str | None]:
    """The adapter's config, and why it cannot be mixed (None: it can)."""
    config_file = path / "adapter_config.json"
    if not config_file.is_file():
        raise SpilloverError(f"{path} is not a LoRA adapter: it has no adapter_config.json")
    try:
        config = json.loads(config_file.read_text())
    except json.JSONDecodeError as err:
        raise SpilloverError(
            f"{config_file}: not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
        ) from err
    if not isinstance(config, dict):
        raise SpilloverError(f"{config_file}: expected a JSON object of LoRA settings")
    if config.get("peft_type") != "LORA" or config.get("bias", "none") != "none":
        return config, "not plain LoRA without biases"
    busy = sorted(k for k, v in config.items() if k not in _NEUTRAL_FIELDS and v)
    if busy:
        return config, f"config sets {', '.join(busy)}"
    weights_file = path / "adapter_model.safetensors"
    if not weights_file.is_file():
        return config, "no adapter_model.safetensors"
    from safetensors import safe_open

    with safe_open(str(weights_file), "pt") as handle:
        keys = list(handle.keys())
    for key in keys:
        if not key.startswith(_PREFIX) or not key.endswith((".lora_A.weight", ".lora_B.weight")):
            return config, f"tensor {key} is not a LoRA A or B weight"
    return config, None


def read_lora(path: Path) -> tuple[dict[str, tuple[Any, Any]], str | None]:
    """A plain LoRA adapter's float32 A^T [in, r] and (scale * B)^T [r, out] per module name
    (relative to the transformers model), or ({}, why) when it cannot be mixed."""
    config, problem = _checked_config(path)
    if problem is not None:
        return {}, problem
    from safetensors.torch import load_file

    rank, alpha = int(config["r"]), float(config["lora_alpha"])
    scale = alpha / math.sqrt(rank) if config.get("use_rslora") else alpha / rank
    pairs: dict[str, dict[str, Any]] = {}
    for key, tensor in load_file(str(path / "adapter_model.safetensors")).items():
        module, part = key[len(_PREFIX) :].rsplit(".", 2)[:2]
        pairs.setdefault(module, {})[part] = tensor
    out: dict[str, tuple[Any, Any]] = {}
    for module, pair in pairs.items():
        if set(pair) != {"lora_A", "lora_B"}:
            return {}, f"{module} lacks its A or B weight"
        a, b = pair["lora_A"].float(), pair["lora_B"].float()
        out[module] = (a.T.contiguous(), (b * scale).T.contiguous())
    return out, None


def lora_bases(model: Any, found: dict[str, tuple[Any, Any]]) -> tuple[dict[str, Any], str | None]:
    """The base `torch.nn.Linear` of `model` (unwrapped from peft) for each module `read_lora`
    found, or ({}, why) when one is missing or not a linear layer of the adapter's shape."""
    import torch

    model = model.get_base_model() if hasattr(model, "get_base_model") else model
    bases: dict[str, Any] = {}
    for module, (a, b) in found.items():
        try:
            base = model.get_submodule(module)
        except AttributeError:
            return {}, f"the model has no module {module}"
        base = base.get_base_layer() if hasattr(base, "get_base_layer") else base
        if type(base) is not torch.nn.Linear or base.weight.shape != (b.shape[1], a.shape[0]):
            return {}, f"{module} is not a linear layer of the adapter's shape"
        bases[module] = base
    if not bases:
        return {}, "no LoRA weights"
    return bases, None


class _LayerWeights:
    """One base linear's LoRA weights per adapter, and their stack in the session's order."""

    __slots__ = ("a", "b", "key", "stacked")

    def __init__(self) -> None:
        self.a: dict[str, Any] = {}  # name -> A^T [in, r], float32
        self.b: dict[str, Any] = {}  # name -> (scale * B)^T [r, out], float32
        self.key: tuple[str, ...] = ()
        self.stacked: tuple[Any, Any] | None = None

    def stack(self, names: tuple[str, ...]) -> tuple[Any, Any]:
        """[adapters, in, r] and [adapters, r, out], ranks padded with zeros to the largest;
        zeros for adapters without this layer (the padding adds nothing to any row)."""
        import torch

        if self.stacked is None or self.key != names:
            some_a, some_b = next(iter(self.a.values())), next(iter(self.b.values()))
            rank = max(a.shape[1] for a in self.a.values())
            # dtypes spelled out: another thread loading a model may have changed the default
            a_blocks = torch.zeros(len(names), some_a.shape[0], rank, dtype=torch.float32)
            b_blocks = torch.zeros(len(names), rank, some_b.shape[1], dtype=torch.float32)
            for i, name in enumerate(names):
                if name in self.a:
                    a_blocks[i, :, : self.a[name].shape[1]] = self.a[name]
                    b_blocks[i, : self.b[name].shape[0]] = self.b[name]
            self.stacked = (a_blocks.to(some_a.device), b_blocks.to(some_a.device))
            self.key = names
        return self.stacked


class MixedLora:
    """The hooks and per-adapter weights of one mixed-batch session over `model`.

    Each hooked layer computes the deltas of all rows with two batched matmuls: the rows are
    gathered into one padded block per adapter ([adapters, most rows, in]), multiplied by the
    stacked A^T and (scale * B)^T, and gathered back to their rows (a gather, not a scatter-add:
    every row reads exactly one slot). A handful of kernels per layer whatever the number of
    adapters, and the padding is the only wasted work.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.names: tuple[str, ...] = ()  # the adapters added, in stacking order
        self._rows: list[int] = []  # per row: index into names, or -1 for the base model
        self._plans: dict[int, tuple[Any, Any]] = {}  # tokens per row -> gather plan
        self._layers: dict[int, _LayerWeights] = {}  # id(base linear) -> weights
        self._handles: list[Any] = []
        self._switched_off: list[Any] = []

    def add(self, name: str, path: Path) -> str | None:
        """Serve the adapter in directory `path` as `name` in mixed batches; returns why not
        when it cannot be mixed (None when it can)."""
        if name in self.names:
            return None
        found, why = read_lora(path)
        if why is not None:
            return why
        bases, why = lora_bases(self.model, found)
        if why is not None:
            return why
        for module, base in bases.items():
            weights = self._layers.get(id(base))
            if weights is None:
                weights = self._layers[id(base)] = _LayerWeights()
                self._handles.append(base.register_forward_hook(self._hook(weights)))
            a, b = found[module]
            weights.a[name], weights.b[name] = a.to(base.weight.device), b.to(base.weight.device)
        self.names = (*self.names, name)
        return None

    def set_rows(self, names: Sequence[str | None]) -> None:
        """The adapter of each row of the next forward pass (None: the base model)."""
        index = {name: i for i, name in enumerate(self.names)}
        rows = [index[name] if name is not None else -1 for name in names]
        if rows != self._rows:
            self._rows = rows
            self._plans.clear()

    def _plan(self, tokens: int, device: Any) -> tuple[Any, Any] | None:
        """For rows of `tokens` tokens each: `order`, which flattened token fills each slot of
        the [adapters, most rows, tokens] blocks (padding repeats token 0); `back`, for each
        flattened token, the slot holding its delta (the zero slot past the blocks for rows
        without an adapter). None when no row has an adapter."""
        import torch

        plan = self._plans.get(tokens)
        if plan is not None:
            return plan
        members: list[list[int]] = [[] for _ in self.names]
        for row, adapter in enumerate(self._rows):
            if adapter >= 0:
                members[adapter].append(row)
        most = max((len(m) for m in members), default=0)
        if most == 0:
            return None
        zero_slot = len(self.names) * most * tokens
        order: list[int] = []
        back = [zero_slot] * (len(self._rows) * tokens)
        for rows in members:
            for row in rows + [-1] * (most - len(rows)):
                for t in range(tokens):
                    if row >= 0:
                        back[row * tokens + t] = len(order)
                    order.append(max(row, 0) * tokens + t)
        plan = (
            torch.tensor(order, dtype=torch.long, device=device),
            torch.tensor(back, dtype=torch.long, device=device),
        )
        self._plans[tokens] = plan
        return plan

    def close(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        for layer in self._switched_off:
            layer.enable_adapters(True)
        self._switched_off.clear()

    def switch_off_branches(self) -> None:
        """Switch off the LoRA branches peft has attached (adapters served merged before)."""
        from peft.tuners.lora import LoraLayer

        for module in self.model.modules():
            if isinstance(module, LoraLayer) and not module.disable_adapters:
                module.enable_adapters(False)
                self._switched_off.append(module)

    def _hook(self, weights: _LayerWeights) -> Any:
        import torch

        def add_deltas(module: Any, args: tuple[Any, ...], output: Any) -> Any:
            x = args[0]
            if x.shape[0] != len(self._rows):
                raise RuntimeError(f"mixed LoRA: {x.shape[0]} rows, {len(self._rows)} were set")
            plan = self._plan(x[0].numel() // x.shape[-1], x.device)
            if plan is None:
                return output
            order, back = plan
            a, b = weights.stack(self.names)
            blocks = x.reshape(-1, x.shape[-1]).index_select(0, order).float()
            deltas = torch.empty(
                order.shape[0] + 1, b.shape[-1], dtype=torch.float32, device=x.device
            )
            deltas[-1].zero_()
            torch.bmm(
                torch.bmm(blocks.view(len(self.names), -1, a.shape[1]), a),
                b,
                out=deltas[:-1].view(len(self.names), -1, b.shape[-1]),
            )
            output.view(-1, output.shape[-1]).add_(deltas.index_select(0, back))
            return output

        return add_deltas


@contextlib.contextmanager
def mixed(model: Any) -> Iterator[MixedLora]:
    """Within the block, `model`'s peft LoRA branches are off and the yielded `MixedLora` adds
    each row's adapter delta; on exit the hooks go and the branches are switched back on."""
    session = MixedLora(model)
    try:
        session.switch_off_branches()
        yield session
    finally:
        session.close()
