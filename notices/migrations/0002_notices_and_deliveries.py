"""Notices, their deliveries per channel, push subscriptions and channel preferences replace ReminderLog.

Each email reminder of the last week (and of every urgent escalation) becomes a read
notice with its email delivery, so that the first run of send_notices does not send
it again.
"""

import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# What the reminders were about, for the notices that record them.
TITLES = {
    "assigned": "Phân công mới",
    "no_note": "Chưa có ghi chép ngày {day}",
    "ending_soon": "Nhiệm vụ sắp kết thúc",
    "report_due": "Đến hạn báo cáo kết thúc nhiệm vụ",
    "urgent_escalation": "Kiến nghị khẩn",
}


def reminders_to_notices(apps, schema_editor):
    ReminderLog = apps.get_model("notices", "ReminderLog")
    Notice = apps.get_model("notices", "Notice")
    Delivery = apps.get_model("notices", "Delivery")
    Assignment = apps.get_model("cadres", "Assignment")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    # Only what a run of send_notices could still find due (events of the last days, urgent escalations): the
    # reminders of past years need no notice, and a cadre's list would fill with them.
    recent = datetime.date.today() - datetime.timedelta(days=7)
    logs = ReminderLog.objects.filter(models.Q(day__gte=recent) | models.Q(kind="urgent_escalation"))
    for log in logs.order_by("pk").iterator():
        model, _, pk = log.object_key.partition(":")
        if not pk.isdigit() or log.kind not in TITLES:
            continue
        key = f"{log.object_key}@{log.day.isoformat()}" if log.kind == "no_note" else log.object_key
        if model == "assignment":
            assignment = Assignment.objects.filter(pk=pk).select_related("cadre").first()
            if assignment is None:
                continue
            recipient = {"cadre": assignment.cadre, "user_id": assignment.cadre.user_id}
            unique = {"cadre": assignment.cadre}
        else:
            user = User.objects.filter(email__iexact=log.recipient).order_by("pk").first()
            if user is None:
                continue
            recipient = unique = {"user": user, "cadre": None}
        notice, _ = Notice.objects.get_or_create(
            kind=log.kind,
            key=key,
            **unique,
            defaults={
                **recipient,
                "title": TITLES[log.kind].format(day=log.day.strftime("%d/%m/%Y")),
                "created_at": log.sent_at,
                "read_at": log.sent_at,
            },
        )
        Delivery.objects.get_or_create(
            notice=notice,
            channel="email",
            target=log.recipient,
            defaults={"status": "delivered", "attempts": 1, "next_try_at": log.sent_at, "delivered_at": log.sent_at},
        )


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('cadres', '0016_decision_signed_scan_and_amendments'),
        ('notices', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Delivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('push', 'notification on the phone'), ('email', 'email')], max_length=10, verbose_name='channel')),
                ('target', models.CharField(help_text='The email address, or push:<subscription>', max_length=254, verbose_name='to')),
                ('status', models.CharField(choices=[('pending', 'waiting'), ('delivered', 'delivered'), ('failed', 'given up')], default='pending', max_length=10, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_try_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='next try at')),
                ('last_error', models.CharField(blank=True, max_length=500, verbose_name='last error')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered at')),
            ],
            options={
                'verbose_name': 'delivery',
                'verbose_name_plural': 'deliveries',
                'ordering': ['-next_try_at'],
            },
        ),
        migrations.CreateModel(
            name='Notice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('assigned', 'new assignment'), ('no_note', 'daily note missing'), ('ending_soon', 'mission ending soon'), ('report_due', 'report due'), ('report_returned', 'report returned'), ('escalation_answered', 'escalation answered'), ('urgent_escalation', 'urgent escalation')], max_length=30, verbose_name='kind')),
                ('key', models.CharField(help_text='The event it tells of, e.g. assignment:12 or report:5@2021-08-20', max_length=80, verbose_name='about')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('body', models.TextField(blank=True, verbose_name='text')),
                ('url', models.CharField(blank=True, help_text='The page it opens, a path on this site', max_length=300, verbose_name='page')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='created at')),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                ('cadre', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='cadres.cadre', verbose_name='cadre')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notices', to=settings.AUTH_USER_MODEL, verbose_name='user account')),
            ],
            options={
                'verbose_name': 'notice',
                'verbose_name_plural': 'notices',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Preferences',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='notice_preferences', serialize=False, to=settings.AUTH_USER_MODEL, verbose_name='user account')),
                ('by_push', models.BooleanField(default=True, verbose_name='notifications on my devices')),
                ('by_email', models.BooleanField(default=True, verbose_name='email')),
            ],
            options={
                'verbose_name': 'notice preferences',
                'verbose_name_plural': 'notice preferences',
            },
        ),
        migrations.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('endpoint', models.URLField(max_length=1000, unique=True, verbose_name='push service address')),
                ('p256dh', models.CharField(max_length=200, verbose_name='public key')),
                ('auth', models.CharField(max_length=100, verbose_name='authentication secret')),
                ('device', models.CharField(blank=True, help_text='The browser that subscribed', max_length=200, verbose_name='device')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('last_delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='last delivered at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='push_subscriptions', to=settings.AUTH_USER_MODEL, verbose_name='user account')),
            ],
            options={
                'verbose_name': 'push subscription',
                'verbose_name_plural': 'push subscriptions',
                'ordering': ['-created_at'],
            },
        ),
        migrations.AddField(
            model_name='delivery',
            name='notice',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notices.notice', verbose_name='notice'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='subscription',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='deliveries', to='notices.pushsubscription', verbose_name='push subscription'),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['user', 'read_at'], name='notice_unread_by_user'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.CheckConstraint(condition=models.Q(('user__isnull', False), ('cadre__isnull', False), _connector='OR'), name='notice_has_a_recipient'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.UniqueConstraint(condition=models.Q(('cadre__isnull', False)), fields=('kind', 'key', 'cadre'), name='notice_once_per_cadre'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.UniqueConstraint(condition=models.Q(('cadre__isnull', True)), fields=('kind', 'key', 'user'), name='notice_once_per_user'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(fields=['status', 'next_try_at'], name='delivery_due'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(fields=('notice', 'channel', 'target'), name='delivery_once_per_target'),
        ),
        migrations.RunPython(reminders_to_notices, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='ReminderLog',
        ),
    ]
