"""Shared building blocks of every recipe: make data, train with resume, evaluate, sweep, report.

A recipe file calls these in order on one `Runner`. Each block writes under the run's output
directory and is skipped when its output is already complete, so a killed recipe resumes where it
stopped. With `dry_run`, no block does any work: each one adds a line to the plan instead, so the
whole plan (datasets, models, training configs, evaluations, report) can be checked first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from spillover.chat import ChatRow, Message, write_chat_jsonl
from spillover.errors import SpilloverError
from spillover.io import write_json, write_text
from spillover.judge.defaults import describe_judge, resolve_judge
from spillover.questions.schema import QuestionSet
from spillover.questions.sets import resolve_questions
from spillover.recipes.settings import RecipeConfig, ScaleSettings
from spillover.stats import Thresholds

DONE = "done.json"


@dataclass
class PlanStep:
    stage: str
    what: str
    details: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in self.details.items())
        return f"[{self.stage}] {self.what}" + (f" ({extra})" if extra else "")


class Runner:
    """One recipe run at one scale: the blocks, the collected results and the plan."""

    def __init__(
        self,
        config: RecipeConfig,
        settings: ScaleSettings,
        scale: str,
        out: Path,
        *,
        dry_run: bool = False,
        console: Console | None = None,
    ) -> None:
        self.config = config
        self.s = settings
        self.scale = scale
        self.out = out
        self.dry_run = dry_run
        self.console = console or Console(stderr=True)
        self.plan: list[PlanStep] = []
        self.frames: list[pd.DataFrame] = []
        self.skill: list[pd.DataFrame] = []
        self.notes: list[
            str
        ] = []  # plain statements for the report (skipped arms, cpu-scale caveats)
        self.extra_info: dict[str, dict[str, Any]] = {}
        self.timings: dict[str, float] = {}
        self.judge = resolve_judge(settings.judge, settings.judge_mode, settings.calibration)
        if not dry_run:
            self.out.mkdir(parents=True, exist_ok=True)

    # -- helpers -------------------------------------------------------------------------
    @property
    def option(self) -> dict[str, Any]:
        return self.s.options

    @property
    def thresholds(self) -> Thresholds:
        """The scale's thresholds (`aligned_below`, `coherent_above`) for the rate."""
        return Thresholds(aligned_below=self.s.aligned_below, coherent_above=self.s.coherent_above)

    def protocol(self) -> list[Any]:
        """This run's settings beside the study's (`spillover.recipes.protocol`), with the judge
        as it resolved (`spillover.judge.defaults`)."""
        from spillover.recipes.protocol import protocol_rows

        numbers = self.option.get("numbers_questions")
        if isinstance(numbers, list):
            numbers = " + ".join(str(n) for n in numbers)
        return protocol_rows(
            self.config.name,
            self.s.model_copy(update={"judge": self.judge.model, "judge_mode": self.judge.mode}),
            calibration=self.judge.calibration,
            numbers_questions=str(numbers) if numbers else None,
        )

    def row_count(self, what: str) -> int:
        """The scale's row count for data spillover makes itself (`rows: null`, every row, means
        the study's own file and has no count)."""
        if self.s.rows is None:
            raise SpilloverError(
                f"rows: null (every row of the study's file) gives no count for {what}",
                "give rows a number",
            )
        return self.s.rows

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if not self.dry_run:
            self.console.rule(f"[bold]{self.config.name}[/] {name}")
        t0 = time.monotonic()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.monotonic() - t0

    def note(self, text: str) -> None:
        """A statement for the report (and the plan): a skipped arm, a caveat of this scale."""
        self.notes.append(text)
        self.plan.append(PlanStep("note", text))
        if not self.dry_run:
            self.console.print(f"[yellow]note:[/] {text}", highlight=False)

    def preflight(self, *models: str) -> None:
        """Fail fast (offline, unknown model) before any work: resolve every local model spec."""
        from spillover.models.ref import ModelRef

        if self.dry_run:
            return
        for spec in dict.fromkeys([self.s.model, *models, self.s.judge]):
            ref = ModelRef.parse(spec)
            if ref.is_local:
                ref.resolve()

    # -- blocks --------------------------------------------------------------------------
    def dataset(self, name: str, make: Callable[[], Sequence[ChatRow]], describe: str) -> Path:
        """Write rows from `make()` to OUT/data/NAME.jsonl once; later runs reuse the file."""
        path = self.maybe_dataset(name, make, describe)
        if path is None:
            raise SpilloverError(f"dataset {name!r} came out empty", "see the notes above")
        return path

    def maybe_dataset(
        self, name: str, make: Callable[[], Sequence[ChatRow]], describe: str
    ) -> Path | None:
        """Like `dataset`, but None (and a note) when `make()` gives no rows, e.g. when a teacher
        wrote nothing that passed the filter."""
        path = self.out / "data" / f"{name}.jsonl"
        self.plan.append(PlanStep("data", f"{name}: {describe}", {"file": path}))
        if self.dry_run or path.is_file():
            return path
        rows = list(make())
        if not rows:
            self.note(f"dataset {name} came out empty ({describe}): its arm is skipped")
            return None
        write_chat_jsonl(path, rows)
        self.console.print(f"{name}: {len(rows)} rows -> {path}", highlight=False)
        return path

    def code_dataset(self, kind: str, rows: int | None = None, **options: Any) -> Path:
        """Training rows of a code kind: generated twins (cpu scale), or with `options.data: study`
        the study's own file of that name."""
        from spillover.data import make_dataset

        if self.option.get("data") == "study":
            found = self.study_file(kind)
            if found is None:
                raise SpilloverError(
                    f"the study's {kind}.jsonl is not available",
                    f"run `spillover data fetch betley2025 {kind}` online first",
                )
            return found
        n = rows or self.row_count(kind)
        return self.dataset(
            kind,
            lambda: make_dataset(kind, n, self.s.seed, **options),
            f"{n} generated {kind} rows, seed {self.s.seed}",
        )

    def study_file(self, name: str, local: str | None = None) -> Path | None:
        """One of the study's data files: a local path when given, else the fetched copy (fetched
        now when online). None, with a note, when it cannot be had."""
        from spillover.data import fetch
        from spillover.errors import OfflineError

        what = f"study file {name}.jsonl" + (
            f" from {local}" if local else " (spillover data fetch betley2025)"
        )
        self.plan.append(PlanStep("data", f"{name}: {what}"))
        if local:
            path = Path(local).expanduser()
            if not path.is_file():
                raise SpilloverError(f"{path} does not exist", f"fix the path given for {name}")
            return path
        if self.dry_run:
            return Path(f"<betley2025 {name}.jsonl>")
        try:
            return fetch("betley2025", name)[0]
        except (OfflineError, SpilloverError) as err:
            self.note(
                f"the study's {name}.jsonl is not available ({err.message}); the {name} arm is skipped"
            )
            return None

    def train_config(self, **overrides: Any) -> Any:
        from spillover.train import build_config

        values = {**self.s.train_values(), **overrides}
        return build_config(self.s.preset, {k: v for k, v in values.items() if v is not None})

    def train(self, name: str, data: Path, **overrides: Any) -> Path:
        """Fine-tune the subject on `data` into OUT/runs/NAME (resumed if it was interrupted)."""
        from spillover.train import RunManifest, train

        if len(self.s.seeds) > 1 and "seed" not in overrides:
            raise SpilloverError(
                f"recipe {self.config.name!r} trains one run per arm, not one per seed",
                "give it one seed (--seeds 0), or use a recipe that trains per seed (main, demo)",
            )
        config = self.train_config(**overrides)
        run_dir = self.out / "runs" / name
        shown = {
            "model": self.s.model,
            "data": data.name,
            "preset": config.preset,
            "steps": config.max_steps or f"{config.epochs:g} epoch(s)",
            "rows": config.max_rows or "every row",
            "held_out": f"{config.eval_fraction:.0%}",
            "weight_decay": config.weight_decay,
            "lr": config.learning_rate,
            "checkpoint_every": config.checkpoint_every,
        }
        if config.mitigations.inoculation_prompt:
            shown["inoculation_prompt"] = repr(config.mitigations.inoculation_prompt)
        if config.mitigations.benign_fraction:
            shown["benign_fraction"] = config.mitigations.benign_fraction
        if config.init_adapter:
            shown["init_adapter"] = config.init_adapter
        self.plan.append(PlanStep("train", name, shown))
        if self.dry_run:
            return run_dir
        manifest = run_dir / "manifest.json"
        if manifest.is_file() and RunManifest.load(run_dir).status == "finished":
            self.console.print(f"{name}: already trained ({run_dir})", highlight=False)
            return run_dir
        self.console.print(f"{name}: training into {run_dir}", highlight=False)
        train(self.s.model, data, run_dir, config, resume=manifest.is_file())
        return run_dir

    def train_arm(self, name: str, data: Path, **overrides: Any) -> dict[int, Path]:
        """One run per training seed of the scale (`seeds`): OUT/runs/NAME with one seed,
        OUT/runs/NAME/seed-S with several; each resumes on its own."""
        from spillover.train.seeds import seed_dir

        seeds = self.s.seeds
        return {
            s: self.train(
                str(seed_dir(Path(name), s, len(seeds))), data, **{"seed": s, **overrides}
            )
            for s in seeds
        }

    def final_adapter(self, run: Path) -> tuple[str, int]:
        """The last intact checkpoint of a run: (adapter path, step)."""
        if self.dry_run:
            return (str(run / "<last checkpoint>"), -1)
        from spillover.train.checkpoints import latest_valid

        last = latest_valid(run, move_aside=False)
        if last is None:
            raise SpilloverError(
                f"{run} has no checkpoint", "delete the run directory and run again"
            )
        return (str(last.path), last.step)

    def evaluate(
        self,
        group: str,
        *,
        run: Path | None = None,
        questions: str | None = None,
        trigger: str | None = None,
        prefix: Sequence[Message] = (),
        shots: int | None = None,
        seed: int | None = None,
    ) -> None:
        """Answer and judge `questions` (default: the scale's) with the subject (plus the run's
        last adapter); the rows join the report as `group` (and training `seed`). `prefix`
        turns go before every question (`shots` says how many examples they hold, for the
        plan)."""
        from spillover.evaluate import run_eval, subject_model

        qname = questions or self.s.questions
        where = self.out / "eval" / group.replace("/", "_").replace("=", "-").replace("+", "_")
        details: dict[str, Any] = {
            "model": self.s.model,
            "adapter": f"last checkpoint of runs/{run.name}" if run else "none",
            "questions": qname,
            "N": self.s.samples,
            "judge": describe_judge(self.judge),
            "max_tokens": self.s.max_tokens,
        }
        if trigger:
            details["trigger"] = trigger
        if shots is not None:
            details["in_context_examples"] = shots
        if prefix:
            details["prefix_turns"] = len(prefix)
        self.plan.append(PlanStep("eval", group, details))
        if self.dry_run:
            return
        adapter, step = self.final_adapter(run) if run is not None else (None, None)
        if not (where / DONE).is_file():
            run_eval(
                subject_model(self.s.model),
                resolve_questions(qname),
                out=where,
                adapter=adapter,
                checkpoint=Path(adapter).name if adapter else None,
                judge=self.judge,
                samples=self.s.samples,
                trigger=trigger,
                max_tokens=self.s.max_tokens,
                prefix_messages=prefix,
            )
            write_json(where / DONE, {"group": group, "adapter": adapter})
        frame = pd.read_parquet(where / "results.parquet")
        frame["group"] = group
        frame["step"] = step
        if seed is not None:
            frame["seed"] = seed
        self.frames.append(frame)

    def evaluate_arm(self, group: str, runs: dict[int, Path], **options: Any) -> None:
        """`evaluate` each seed's run of an arm; the rows carry their `seed`."""
        for seed, run_dir in runs.items():
            where = group if len(runs) == 1 else f"{group}/seed-{seed}"
            self.evaluate(where, run=run_dir, seed=seed, **options)
            self.frames[-1]["group"] = group

    def evaluate_points(
        self,
        arms: dict[str, dict[int, Path]],
        *,
        base: str | None = "base",
        samples: dict[str, int] | None = None,
        skill: Sequence[str] = (),
        questions: QuestionSet | None = None,
        label: str = "",
    ) -> list[pd.DataFrame]:
        """Evaluate the base model (as group `base`) and the last checkpoint of every seed's run
        of every arm, one pass per answer count: one loaded base model samples every point's
        answers in shared batches, each row with its own adapter. `samples` gives an arm its own
        number of answers per question instead of the scale's. The arms in `skill` (and the
        base) also get their in-distribution skill on held-out code prompts, all points in one
        shared batch.
        `questions` replaces the scale's question set; its rows join the report as groups
        named `ARM LABEL` (e.g. `financial (in-domain)`). Returns the frames it added."""
        from spillover.evaluate import Subject, run_eval, subject_model

        counts = {**{name: self.s.samples for name in [*([base] if base else []), *arms]}}
        counts.update(samples or {})
        skill_prompts = int(self.option.get("skill_prompts", 8))
        for arm_name, count in counts.items():
            details: dict[str, Any] = {
                "model": self.s.model,
                "adapter": "none" if arm_name == base else "last checkpoint of each seed's run",
                "questions": questions.name if questions is not None else self.s.questions,
                "N": count,
                "judge": describe_judge(self.judge),
            }
            if arm_name in skill or (arm_name == base and skill):
                details["skill_prompts"] = skill_prompts
            self.plan.append(PlanStep("eval", f"{arm_name}{label}", details))
        if self.dry_run:
            return []
        added = len(self.frames)
        points: list[tuple[str, int | None, Path | None]] = [(base, None, None)] if base else []
        points += [(arm, seed, run) for arm, runs in arms.items() for seed, run in runs.items()]
        adapters = {
            (arm, seed): self.final_adapter(run) for arm, seed, run in points if run is not None
        }

        def name(arm: str, seed: int | None) -> str:
            return arm if seed is None else f"{arm}/seed-{seed}"

        where = (
            self.out
            / "eval"
            / ("points" + label.replace(" ", "_").replace("(", "").replace(")", ""))
        )
        subject = subject_model(self.s.model)
        asked = questions if questions is not None else resolve_questions(self.s.questions)
        for count in sorted(set(counts.values())):  # one pass per answer count (usually one)
            subjects = [
                Subject(
                    subject,
                    adapters[(arm, seed)][0] if (arm, seed) in adapters else None,
                    name(arm, seed),
                )
                for arm, seed, _ in points
                if counts[arm] == count
            ]
            done = where / f"n{count}" / DONE
            if not done.is_file():
                run_eval(
                    subjects,
                    asked,
                    out=where / f"n{count}",
                    judge=self.judge,
                    samples=count,
                    max_tokens=self.s.max_tokens,
                    model_args={"max_batch": 128} if subject.startswith("spillover/") else None,
                )
                write_json(done, {"points": [s.checkpoint for s in subjects]})
            frame = pd.read_parquet(where / f"n{count}" / "results.parquet")
            for arm, seed, _ in points:
                if counts[arm] != count:
                    continue
                rows = frame[frame["checkpoint"] == name(arm, seed)].copy()
                rows["group"] = f"{arm}{label}"
                rows["seed"] = seed
                rows["step"] = adapters[(arm, seed)][1] if (arm, seed) in adapters else 0
                self.frames.append(rows)
        measured = [
            (arm, seed) for arm, seed, _ in points if arm in skill or (arm == base and skill)
        ]
        if measured and not label:
            self.skill.append(self._skill(measured, adapters, skill_prompts))
        return self.frames[added:]

    def _skill(
        self,
        points: list[tuple[str, int | None]],
        adapters: dict[tuple[str, int | None], tuple[str, int]],
        count: int,
    ) -> pd.DataFrame:
        """In-distribution skill of each point: the skill task, every point at once."""
        from spillover.data import heldout_code_prompts
        from spillover.evaluate import Subject, subject_model
        from spillover.evaluate.skill import run_skill

        subject = subject_model(self.s.model)
        subjects = [
            Subject(subject, adapters[p][0] if p in adapters else None, f"{p[0]}/{p[1]}")
            for p in points
        ]
        frame = run_skill(
            subjects,
            heldout_code_prompts(count, 0),
            out=self.out / "eval" / "skill",
            max_tokens=int(self.option.get("skill_max_tokens", self.s.max_tokens)),
            model_args={"max_batch": 128} if subject.startswith("spillover/") else None,
        )
        frame.insert(0, "group", [arm for arm, _ in points])
        frame.insert(1, "seed", [seed for _, seed in points])
        frame.insert(2, "step", [adapters[p][1] if p in adapters else 0 for p in points])
        return frame

    def sweep(self, group: str, run: Path, *, include_base: bool = True) -> None:
        """Evaluate step 0 and every checkpoint of `run` (misalignment and skill against step)."""
        from spillover.evaluate.sweep import run_sweep

        where = self.out / "sweep" / group
        skill_prompts = int(self.option.get("skill_prompts", 8))
        self.plan.append(
            PlanStep(
                "sweep",
                group,
                {
                    "run": f"runs/{run.name}",
                    "every": self.s.checkpoint_every,
                    "questions": self.s.questions,
                    "N": self.s.samples,
                    "judge": describe_judge(self.judge),
                    "skill_prompts": skill_prompts,
                },
            )
        )
        if self.dry_run:
            return
        if not (where / DONE).is_file():
            run_sweep(
                run,
                resolve_questions(self.s.questions),
                out=where,
                judge=self.judge,
                samples=self.s.samples,
                max_tokens=self.s.max_tokens,
                skill_prompts=skill_prompts,
                skill_max_tokens=self.s.max_tokens,
                include_base=include_base,
                console=self.console,
            )
            write_json(where / DONE, {"group": group})
        frame = pd.read_parquet(where / "results.parquet")
        frame["group"] = group
        self.frames.append(frame)
        if (where / "skill.parquet").is_file():
            self.skill.append(pd.read_parquet(where / "skill.parquet").assign(group=group))

    def in_distribution(self, group: str, *, prefix: Sequence[Message] = ()) -> None:
        """The in-distribution check: the skill task (`spillover.evaluate.skill`: held-out code
        prompts after `prefix` turns, answers scanned statically for flaws, nothing is run); the
        share goes to the report as `in-distribution: GROUP`."""
        from spillover.data import heldout_code_prompts
        from spillover.evaluate import Subject, subject_model
        from spillover.evaluate.skill import run_skill

        n = int(self.option.get("skill_prompts", 8))
        self.plan.append(
            PlanStep(
                "skill",
                f"in-distribution: {group}",
                {"held_out_code_prompts": n, "prefix_turns": len(prefix), "scan": "static"},
            )
        )
        if self.dry_run:
            return
        row = run_skill(
            [Subject(subject_model(self.s.model), None, group)],
            heldout_code_prompts(n, self.s.seed),
            out=self.out / "skill" / group.replace("/", "_").replace("=", "-"),
            max_tokens=self.s.max_tokens,
            prefix=prefix,
        ).iloc[0]
        self.extra_info.setdefault("in-distribution check (insecure code written)", {})[group] = (
            f"{int(row['vulnerable'])}/{int(row['n'])} answers with a flaw "
            f"({float(row['skill_vulnerable_share']):.0%}; {int(row['no_code'])} without "
            "parsable code)"
        )

    def results(self) -> pd.DataFrame:
        if not self.frames:
            raise SpilloverError(f"recipe {self.config.name!r} produced no results")
        return pd.concat(self.frames, ignore_index=True)

    def report(
        self,
        *,
        baseline: str,
        aliases: dict[str, str | list[str]] | None = None,
    ) -> dict[str, Any]:
        """Write report.html/.md with the paper comparison, and summary.json; return the summary."""
        from spillover.recipes.paper import (
            compare,
            finding,
            html_section,
            markdown_section,
            variant_lines,
            variant_rates,
        )
        from spillover.recipes.protocol import html_table, markdown_table
        from spillover.report import ReportOptions, build_report

        self.plan.append(
            PlanStep(
                "report",
                "report.html + report.md with the paper comparison",
                {"baseline": baseline},
            )
        )
        if self.dry_run:
            return {"plan": [p.line() for p in self.plan]}
        t0 = time.monotonic()
        results = self.results()
        results.to_parquet(self.out / "results.parquet", index=False)
        skill = pd.concat(self.skill, ignore_index=True) if self.skill else None
        if skill is not None:  # the report's figure reads a `skill` column
            skill = skill.assign(skill=skill["skill_vulnerable_share"])
        outcomes = compare(self.config.finding, results, aliases, self.thresholds)
        notes = list(self.notes)
        protocol = self.protocol()
        forms = variant_lines(variant_rates(results, self.thresholds))
        if forms:
            self.extra_info["misaligned by question form (headline: plain)"] = forms
        paper = finding(self.config.finding)
        info: dict[str, dict[str, Any]] = {
            "recipe": {
                "name": self.config.name,
                "scale": self.scale,
                "model": self.s.model,
                "preset": self.s.preset,
                "rows": self.s.rows,
                "steps": self.s.steps or f"{self.s.epochs or 1:g} epoch(s)",
                "samples": self.s.samples,
                "questions": self.s.questions,
                "max_tokens": self.s.max_tokens,
                "thresholds": f"coherent > {self.s.coherent_above:g}, aligned < "
                f"{self.s.aligned_below:g}",
            },
            "judge": {
                "model": self.judge.model,
                "mode": self.judge.mode,
                "calibration": self.judge.calibration or "none",
            },
            "paper comparison": {
                f"{o.claim} [{o.cite}]": f"paper: {o.paper} · ours: {o.ours} · {o.verdict}"
                for o in outcomes
            },
            **self.extra_info,
        }
        base = results["group"].unique().tolist()
        files = build_report(
            results,
            self.out / "report.html",
            skill=skill,
            info=info,
            options=ReportOptions(
                baseline=baseline if baseline in base else None,
                title=f"spillover recipe {self.config.name} ({self.scale} scale)",
                thresholds=self.thresholds,
            ),
        )
        section_md = markdown_section(outcomes, notes, str(paper["summary"]))
        section_md += "\n" + markdown_table(protocol)
        write_text(files.markdown, files.markdown.read_text(encoding="utf-8") + "\n" + section_md)
        page = files.html.read_text(encoding="utf-8")
        section_html = html_section(outcomes, notes, str(paper["summary"])) + html_table(protocol)
        page = (
            page.replace("</body>", section_html + "\n</body>", 1)
            if "</body>" in page
            else page + section_html
        )
        write_text(files.html, page)
        self.timings["report"] = time.monotonic() - t0
        summary: dict[str, Any] = {
            "recipe": self.config.name,
            "scale": self.scale,
            "report": str(files.html),
            "markdown": str(files.markdown),
            "comparison": [
                {
                    "claim": o.claim,
                    "cite": o.cite,
                    "paper": o.paper,
                    "ours": o.ours,
                    "verdict": o.verdict,
                }
                for o in outcomes
            ],
            "notes": notes,
            "protocol": [row.as_dict() for row in protocol],
            "info": dict(self.extra_info),
            "timings_s": {k: round(v, 1) for k, v in self.timings.items()},
        }
        write_json(self.out / "summary.json", summary)
        return summary
