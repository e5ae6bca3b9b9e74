"""The standard blind structures (tournament/standard_structures.py), and turbo for older tournaments."""

from django.db import migrations

from tournament.standard_structures import install_standard_structures


def add_standard_structures(apps, schema_editor):
    BlindStructure = apps.get_model("tournament", "BlindStructure")
    install_standard_structures(BlindStructure, apps.get_model("tournament", "BlindLevel"))
    apps.get_model("tournament", "Tournament").objects.filter(structure=None).update(
        structure=BlindStructure.objects.get(name="turbo"))


class Migration(migrations.Migration):

    dependencies = [
        ('tournament', '0002_structures_entries'),
    ]

    operations = [
        migrations.RunPython(add_standard_structures, migrations.RunPython.noop),
    ]
