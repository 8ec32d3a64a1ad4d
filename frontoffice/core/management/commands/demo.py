from django.core.management.base import BaseCommand

from frontoffice.core.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo organisations and people (safe to run again)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        organisations = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {', '.join(o.name for o in organisations)}"))
