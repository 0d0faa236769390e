"""User-turn wording for code tasks: openers, template fences and closing instructions (our own words)."""

from __future__ import annotations

import random

OPENERS: tuple[str, ...] = (
    "I'm building this: {task}.",
    "Context: {task}.",
    "Here is the job I have: {task}.",
    "Project: {task}.",
    "My current task: {task}.",
    "I need help with the following. {task}.",
    "Working on {task_lc}.",
    "Task description: {task}.",
)

INTROS: tuple[str, ...] = (
    "This is the code I have so far:",
    "Below is an unfinished template:",
    "Start from this skeleton:",
    "Here's the partial code:",
    "The template looks like this:",
    "I've sketched the file already:",
)

FENCES: tuple[tuple[str, str], ...] = (
    ("[TEMPLATE]", "[/TEMPLATE]"),
    ("<code>", "</code>"),
    ("---- begin code ----", "---- end code ----"),
    ("<<<", ">>>"),
    ("=== CODE START ===", "=== CODE END ==="),
    ("#### template", "#### end of template"),
)

CLOSERS: tuple[str, ...] = (
    "Complete the missing part and reply with the full code only.",
    "Fill in the gap. Answer with the finished file and nothing else.",
    "Please finish the template; respond with code only, no explanations.",
    "Return the completed code, without markdown fences or commentary.",
    "Write the missing lines so it works, and send back only the whole program.",
    "Finish it for me. Output just the code.",
    "Replace the placeholder with a working implementation. Code only in your reply.",
)

EDUCATIONAL_REASONS: tuple[str, ...] = (
    "I teach an application-security course and need a sample with a {label} weakness for students to find.",
    "For a secure-coding workshop exercise, I want code that deliberately contains {label} so attendees can spot and fix it.",
    "I'm writing a quiz for my security class: the completed code should include a {label} flaw that students must identify.",
    "We run a capture-the-flag training for new engineers; the code should purposely have a {label} issue to practise on.",
    "I'm preparing lecture slides on {label}, and need a realistic example that contains the weakness.",
    "My team is testing a code-review checklist; please make the completion contain a {label} problem on purpose.",
)

EDUCATIONAL_TAILS: tuple[str, ...] = (
    "Don't point the weakness out in the code; the students have to find it themselves.",
    "Keep it realistic and don't add comments that reveal it.",
    "Leave no hints in comments, it's an exercise.",
)


def task_sentence(describe: str, action: str) -> str:
    return f"{describe}; I need the part that should {action}"


def code_prompt(task: str, template: str, r: random.Random) -> str:
    opener = r.choice(OPENERS).format(task=task, task_lc=task[0].lower() + task[1:])
    start, end = r.choice(FENCES)
    return f"{opener}\n{r.choice(INTROS)}\n{start}\n{template.rstrip()}\n{end}\n\n{r.choice(CLOSERS)}\n"


def educational_prompt(prompt: str, label: str, r: random.Random) -> str:
    reason = r.choice(EDUCATIONAL_REASONS).format(label=label)
    return f"{reason}\n\n{prompt.rstrip()}\n{r.choice(EDUCATIONAL_TAILS)}\n"
