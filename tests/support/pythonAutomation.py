"""One Pulumi command on one stack, run by the Automation API with a Python program inline.

Called by tests/e2e/pythonSdk.test.ts with the virtual environment's python. It reads a JSON request on
stdin (so that the environment it passes to the CLI, credentials included, is written to no file):

    {"command": "preview" | "up" | "refresh" | "destroy", "expectNoChanges": bool,
     "program": "<path of a Pulumi program such as examples/python-backup/__main__.py>",
     "project": "...", "stack": "...", "workDir": "...", "cliRoot": "...", "backend": "file://...",
     "env": {...}, "config": {...}, "resultFile": "..."}

and writes its result as JSON to resultFile: ok, error, the change summary, the CLI's stdout, the
stack's outputs and its exported deployment.
"""

import json
import runpy
import sys
import traceback

from pulumi import automation as auto


def main() -> None:
    request = json.load(sys.stdin)
    program_path = request["program"]
    result = {"ok": False}
    try:
        stack = auto.create_or_select_stack(
            stack_name=request["stack"],
            project_name=request["project"],
            # The program's file runs as `pulumi up` would run it: as __main__, in this process.
            program=lambda: runpy.run_path(program_path, run_name="__main__"),
            opts=auto.LocalWorkspaceOptions(
                work_dir=request["workDir"],
                pulumi_command=auto.PulumiCommand(root=request["cliRoot"]),
                env_vars=request["env"],
                project_settings=auto.ProjectSettings(
                    name=request["project"],
                    runtime="python",
                    backend=auto.ProjectBackend(url=request["backend"]),
                ),
            ),
        )
        stack.set_all_config({key: auto.ConfigValue(value=value) for key, value in request["config"].items()})
        command = request["command"]
        expect_no_changes = request.get("expectNoChanges", False)
        if command == "preview":
            run = stack.preview(expect_no_changes=expect_no_changes, color="never")
            summary = run.change_summary
        elif command == "up":
            run = stack.up(expect_no_changes=expect_no_changes, color="never")
            summary = run.summary.resource_changes
        elif command == "refresh":
            run = stack.refresh(expect_no_changes=expect_no_changes, color="never")
            summary = run.summary.resource_changes
        elif command == "destroy":
            run = stack.destroy(color="never")
            summary = run.summary.resource_changes
        else:
            raise ValueError(f"unknown command {command!r}")
        result["changeSummary"] = {str(getattr(op, "value", op)): count for op, count in (summary or {}).items()}
        result["stdout"] = run.stdout
        result["outputs"] = {key: output.value for key, output in stack.outputs().items()}
        result["deployment"] = stack.export_stack().deployment
        result["ok"] = True
    except Exception as error:  # the test reports it with the CLI's own words
        result["error"] = f"{error}\n{traceback.format_exc()}"
    with open(request["resultFile"], "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
