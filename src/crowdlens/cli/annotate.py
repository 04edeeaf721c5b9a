"""Commands: annotate (a model answers a project's questions), models list / add."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from crowdlens.cli.app import app, console, open_from_context

models_app = typer.Typer(
    help="List model backends and saved models; save one.", no_args_is_help=True
)
app.add_typer(models_app, name="models")

Opt = typer.Option


def _overrides(**options: Any) -> dict[str, Any]:
    """The annotator settings given on the command line (None means not given)."""
    names = {
        "base_url": "base_url", "api_key_env": "api_key_env", "price_in": "input_usd_per_million",
        "price_out": "output_usd_per_million", "concurrency": "max_concurrency", "rpm": "rpm",
        "tpm": "tpm", "timeout": "timeout_s", "max_image_side": "max_image_side",
        "structured": "structured_output", "prompt": "prompt", "tags_strategy": "tags_strategy",
        "path": "path", "target_accuracy": "target_accuracy", "backend": "backend",
    }  # fmt: skip
    found = {names[k]: v for k, v in options.items() if k in names and v is not None}
    if options.get("no_key"):
        found["api_key_env"] = None
    if options.get("vision") is not None:
        found["vision"] = options["vision"]
    if "path" in found:
        found["path"] = str(found["path"])
    return found


@app.command()
def annotate(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name.")],
    model: Annotated[str | None, Opt(help="A saved model's name, or the model to call.")] = None,
    backend: Annotated[str | None, Opt(help="openai, learned, predictions, clip, …")] = None,
    base_url: Annotated[str | None, Opt(help="OpenAI-compatible server, ending in /v1.")] = None,
    api_key_env: Annotated[str | None, Opt(help="Variable holding the API key.")] = None,
    no_key: Annotated[bool, Opt("--no-key", help="The server needs no key.")] = False,
    vision: Annotated[bool | None, Opt("--vision/--no-vision", help="Accepts images?")] = None,
    fields: Annotated[str | None, Opt(help="Comma-separated fields (default: all).")] = None,
    limit: Annotated[int | None, Opt(help="Annotate at most N items.")] = None,
    max_cost: Annotated[float | None, Opt(help="Stop before spending more USD.")] = None,
    estimate: Annotated[bool, Opt(help="Answer a sample and project the cost.")] = False,
    sample: Annotated[int, Opt(help="Items in the --estimate sample.")] = 10,
    regions: Annotated[bool, Opt(help="Ask about each region (box) as a crop.")] = False,
    price_in: Annotated[float | None, Opt(help="USD per million input tokens.")] = None,
    price_out: Annotated[float | None, Opt(help="USD per million output tokens.")] = None,
    concurrency: Annotated[int | None, Opt(help="Requests in flight at most.")] = None,
    rpm: Annotated[float | None, Opt(help="Requests per minute at most.")] = None,
    tpm: Annotated[float | None, Opt(help="Tokens per minute at most.")] = None,
    timeout: Annotated[float | None, Opt(help="Seconds per request.")] = None,
    max_image_side: Annotated[int | None, Opt(help="Shrink images to this side.")] = None,
    structured: Annotated[str | None, Opt(help="json_schema, json_object or none.")] = None,
    prompt: Annotated[str | None, Opt(help="Prompt pack: fields, characters, celeba40.")] = None,
    tags_strategy: Annotated[str | None, Opt(help="direct, yes-no or two-stage.")] = None,
    path: Annotated[Path | None, Opt(help="Predictions file (predictions backend).")] = None,
    target_accuracy: Annotated[float | None, Opt(help="learned backend's target.")] = None,
) -> None:
    """Ask a model every question of a project; re-running resumes where it stopped."""
    from crowdlens.annotators.catalog import catalog_path, resolve_config
    from crowdlens.annotators.run import annotate_project

    overrides = _overrides(**locals())
    names = [name.strip() for name in fields.split(",")] if fields else None
    with open_from_context(ctx) as ws:
        config = resolve_config(catalog_path(ws.settings.home), model, overrides)
        with _bar() as bar:
            task = bar.add_task("annotating", total=None, cached=0, failed=0, spent=0.0)
            report = annotate_project(
                ws.database, ws.media, project=project, annotator_config=config, fields=names,
                limit=limit, max_cost=max_cost, estimate=estimate, sample_size=sample,
                regions=regions, progress=lambda p: _show(bar, task, p),
            )  # fmt: skip
    _print_report(report)


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("cached {task.fields[cached]}  failed {task.fields[failed]}"),
        TextColumn("spent ${task.fields[spent]:.4f}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _show(bar: Progress, task: Any, progress: Any) -> None:
    finished = progress.done + progress.failed + progress.abstained + progress.stopped
    bar.update(
        task, total=progress.total, completed=finished, cached=progress.cached,
        failed=progress.failed, spent=progress.spent_usd,
    )  # fmt: skip


def _print_report(report: Any) -> None:
    if report.estimate is not None:
        guess = report.estimate
        console.print(
            f"estimate from {guess.sample_items} items: ${guess.per_item_usd:.5f} per item; "
            f"{guess.items_to_annotate} items to annotate → about ${guess.projected_usd:.2f} "
            f"(spent now: ${guess.spent_usd:.4f}; the sample's answers are cached)"
        )
        return
    p = report.progress
    console.print(
        f"{report.annotator_key}: done {p.done}, cached {p.cached}, failed {p.failed}, "
        f"not confident {p.abstained}, skipped (answered before) {report.skipped}; "
        f"{report.requests_made} paid requests, spent ${p.spent_usd:.4f}; job {report.status}"
    )
    if p.stopped:
        console.print(f"stopped by --max-cost with {p.stopped} items left; run again to go on")
    for name, figures in report.fit_report.items():
        console.print(
            f"  {name}: trained on {figures['examples']}, CV accuracy {figures['cv_accuracy']}"
        )


@models_app.command("list")
def models_list(ctx: typer.Context) -> None:
    """Registered backends and the models saved in this home."""
    from crowdlens.annotators.catalog import catalog_path, load_catalog
    from crowdlens.annotators.registry import backend_names

    console.print("backends: " + ", ".join(backend_names()))
    with open_from_context(ctx) as ws:
        catalog = load_catalog(catalog_path(ws.settings.home))
    table = Table("name", "backend", "model", "base_url", title="saved models")
    for name, config in sorted(catalog.items()):
        table.add_row(name, config.get("backend", "openai"), str(config.get("model", "")),
                      str(config.get("base_url", "")))  # fmt: skip
    console.print(table if catalog else "no saved models yet (crowdlens models add NAME …)")


@models_app.command("add")
def models_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name to use with annotate --model.")],
    model: Annotated[str | None, Opt(help="The model as the server knows it.")] = None,
    backend: Annotated[str, Opt(help="openai, learned, predictions, clip, …")] = "openai",
    base_url: Annotated[str | None, Opt(help="OpenAI-compatible server, ending in /v1.")] = None,
    api_key_env: Annotated[str | None, Opt(help="Variable holding the API key.")] = None,
    no_key: Annotated[bool, Opt("--no-key", help="The server needs no key.")] = False,
    vision: Annotated[bool | None, Opt("--vision/--no-vision", help="Accepts images?")] = None,
    price_in: Annotated[float | None, Opt(help="USD per million input tokens.")] = None,
    price_out: Annotated[float | None, Opt(help="USD per million output tokens.")] = None,
    concurrency: Annotated[int | None, Opt(help="Requests in flight at most.")] = None,
    rpm: Annotated[float | None, Opt(help="Requests per minute at most.")] = None,
    tpm: Annotated[float | None, Opt(help="Tokens per minute at most.")] = None,
    structured: Annotated[str | None, Opt(help="json_schema, json_object or none.")] = None,
    path: Annotated[Path | None, Opt(help="Predictions file (predictions backend).")] = None,
) -> None:
    """Save a model configuration under NAME (checked before it is saved)."""
    from crowdlens.annotators.catalog import catalog_path, save_model

    config = _overrides(**{k: v for k, v in locals().items() if k not in ("ctx", "name")})
    if model is not None:
        config["model"] = model
    with open_from_context(ctx) as ws:
        save_model(catalog_path(ws.settings.home), name, config)
    console.print(f"saved model {name!r} ({config['backend']})")
