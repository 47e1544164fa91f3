"""{% load campaign_roles %}: whether the user changes a campaign's rows, for lists that mix campaigns.

A person may read a row through one role and change it through another (organiser staff of one
campaign who also follow their unit's cadres in another): each row asks, as the server does again
when the page that changes it is opened (Model.objects.managed_by).
"""

from django import template

register = template.Library()


@register.filter
def changed_by(campaign, user) -> bool:
    """`{% if assignment.campaign|changed_by:user %}`: Campaign.is_managed_by(), no query."""
    return campaign.is_managed_by(user)
