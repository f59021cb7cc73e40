"""``manage.py load_structure <slug|file.yaml>``: load a structure preset."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from governance.presets import PresetError, available_presets, load_structure
from halsam.command_args import text_arg


class Command(BaseCommand):
    help = "Load a collaboration structure from its preset (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("preset", type=text_arg,
                            help=f"a preset slug ({', '.join(available_presets())}) "
                                 "or a path to a preset YAML file")
        parser.add_argument("--reason", default="", type=text_arg,
                            help="why, for the history")
        parser.add_argument("--reset-rotation", action="store_true",
                            help="take the preset's rotation rules even where a body's rule "
                                 "was changed locally since the last load (docs/presets.md)")

    def handle(self, *args, preset: str, reason: str, verbosity: int,
               reset_rotation: bool = False, **options):
        try:
            report = load_structure(preset, reason=reason, reset_rotation=reset_rotation)
        except PresetError as exc:
            raise CommandError(f"The preset was not loaded; nothing was written.\n{exc}") from exc
        if not report.changed:
            self.stdout.write(f"{report.structure}: already up to date; nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{report.structure}: {len(report.created)} created, "
                f"{len(report.updated)} updated."))
            if verbosity > 1:
                for line in report.created:
                    self.stdout.write(f"  + {line}")
                for line in report.updated:
                    self.stdout.write(f"  ~ {line}")
        for line in report.kept:
            self.stdout.write(self.style.WARNING(f"  ! {line}"))
