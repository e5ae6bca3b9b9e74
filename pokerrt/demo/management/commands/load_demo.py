"""Load the demo world (idempotent) and print where to go and how to log in."""

from django.core.management.base import BaseCommand

from pokerrt.demo.world import DEMO_ADMIN, DEMO_PLAYERS, load_demo


class Command(BaseCommand):
    help = "Create the demo users, lobby, cash tables and sit-and-go if missing."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--url", default="", help="where the server will listen, to print")

    def handle(self, *args, url: str, **options):  # type: ignore[no-untyped-def]
        report = load_demo()
        self.stdout.write("demo data: " + (", ".join(report.created) if report.created else "already loaded"))
        if url:
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"  pokerrt is starting at {url}"))
            self.stdout.write(f"  admin:     {url}admin/   ({DEMO_ADMIN[0]} / {DEMO_ADMIN[1]})")
            self.stdout.write(f"  WebSocket: {url.replace('http', 'ws', 1)}ws/")
            self.stdout.write(f"  REST API:  {url}api/docs/   (OpenAPI schema: {url}api/schema/)")
            self.stdout.write("  players:   " + ", ".join(f"{u} / {p}" for u, p in DEMO_PLAYERS))
            self.stdout.write("  health:    " + f"{url}readyz")
            self.stdout.write("")
