from __future__ import annotations

from django import forms

from klinke.collectives.models import ClientType, Collective, Reference
from klinke.collectives.scoped_forms import CollectiveForm, CollectiveModelForm
from klinke.conftest import Network
from klinke.core.signatures import form_field


class _ReferencePick(CollectiveForm):
    reference = forms.ModelChoiceField(queryset=Reference.objects.none())

    def limit_choices(self, collective: Collective) -> None:
        field = form_field(self, "reference", forms.ModelChoiceField)
        field.queryset = Reference.objects.filter(collective=collective)


class _ReferenceForm(CollectiveModelForm[Reference]):
    class Meta:
        model = Reference
        fields = ["summary"]


def _reference(collective: Collective) -> Reference:
    return Reference.objects.create(
        collective=collective, client_type=ClientType.COOPERATIVE, summary="x"
    )


def test_it_offers_only_the_collectives_own_rows(network: Network) -> None:
    own, other = _reference(network.collective_a), _reference(network.collective_b)
    form = _ReferencePick({"reference": str(other.pk)}, collective=network.collective_a)
    assert list(form_field(form, "reference", forms.ModelChoiceField).queryset) == [own]
    assert not form.is_valid()
    assert form.collective == network.collective_a


def test_it_binds_a_model_form_to_its_instance_and_collective(network: Network) -> None:
    reference = _reference(network.collective_a)
    form = _ReferenceForm({"summary": "new"}, collective=network.collective_a, instance=reference)
    assert form.is_valid()
    assert form.save().summary == "new"
    assert form.collective == network.collective_a
