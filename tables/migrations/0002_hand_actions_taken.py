from django.db import migrations, models
from django.db.models import Count


def count_logged_actions(apps, schema_editor):
    """Hands in play when this runs keep acting: their counter must match their log."""
    Hand = apps.get_model("tables", "Hand")
    for hand in Hand.objects.filter(status="live").annotate(logged=Count("actions")):
        Hand.objects.filter(pk=hand.pk).update(actions_taken=hand.logged)


class Migration(migrations.Migration):

    dependencies = [
        ("tables", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="hand",
            name="actions_taken",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_logged_actions, migrations.RunPython.noop),
    ]
