"""The cadre form's messages move to the model's fields, and the derived search_text may be blank (issue 18): nothing changes in the database."""

import shared.text_validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cadres', '0011_userpreference_to_accounts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='cadre',
            name='code',
            field=models.CharField(error_messages={'blank': 'This field is required.', 'unique': 'Another cadre already has this code.'}, help_text='Stable identifier used to match rows when a roster is imported again.', max_length=30, unique=True, validators=[shared.text_validators.single_line], verbose_name='cadre code'),
        ),
        migrations.AlterField(
            model_name='cadre',
            name='email',
            field=models.EmailField(blank=True, error_messages={'invalid': '“%(value)s” is not an e-mail address (e.g. ten@example.vn).'}, max_length=254, verbose_name='email'),
        ),
        migrations.AlterField(
            model_name='cadre',
            name='full_name',
            field=models.CharField(error_messages={'blank': 'This field is required.'}, max_length=120, validators=[shared.text_validators.single_line], verbose_name='full name'),
        ),
        migrations.AlterField(
            model_name='cadre',
            name='search_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AlterField(
            model_name='historicalcadre',
            name='code',
            field=models.CharField(db_index=True, error_messages={'blank': 'This field is required.', 'unique': 'Another cadre already has this code.'}, help_text='Stable identifier used to match rows when a roster is imported again.', max_length=30, validators=[shared.text_validators.single_line], verbose_name='cadre code'),
        ),
        migrations.AlterField(
            model_name='historicalcadre',
            name='email',
            field=models.EmailField(blank=True, error_messages={'invalid': '“%(value)s” is not an e-mail address (e.g. ten@example.vn).'}, max_length=254, verbose_name='email'),
        ),
        migrations.AlterField(
            model_name='historicalcadre',
            name='full_name',
            field=models.CharField(error_messages={'blank': 'This field is required.'}, max_length=120, validators=[shared.text_validators.single_line], verbose_name='full name'),
        ),
    ]
