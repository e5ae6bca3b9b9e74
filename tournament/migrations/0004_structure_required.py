import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tournament', '0003_standard_structures'),
    ]

    operations = [
        migrations.AlterField(
            model_name='tournament',
            name='structure',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tournaments', to='tournament.blindstructure'),
        ),
        migrations.AlterField(
            model_name='tournament',
            name='min_players',
            field=models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MinValueValidator(2)]),
        ),
        migrations.AlterField(
            model_name='tournament',
            name='table_size',
            field=models.PositiveSmallIntegerField(default=9, validators=[django.core.validators.MinValueValidator(2), django.core.validators.MaxValueValidator(10)]),
        ),
    ]
