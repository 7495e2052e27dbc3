use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    /// The committed value, as the workspace holds it.
    pub value: AttrValue,
    pub placeholder: AttrValue,
    /// The field's text when the user commits it (Enter or leaving the field).
    pub onchange: Callback<String>,
}

/// A text field that commits on `change` and keeps what the user typed until then.
///
/// A `value` in the markup is re-applied from the workspace on every render (a verify,
/// a run slice), which would wipe text typed but not yet committed, and text the
/// workspace refused (so its error could not be fixed in place). The field's text is
/// written only when the committed value itself changes: a new example, a tab switch,
/// or a commit the workspace normalised.
#[component(CommittedInput)]
pub fn committed_input(props: &Props) -> Html {
    let field = use_node_ref();
    {
        let field = field.clone();
        use_effect_with(props.value.clone(), move |value| {
            if let Some(field) = field.cast::<HtmlInputElement>() {
                field.set_value(value);
            }
        });
    }
    let onchange = {
        let commit = props.onchange.clone();
        Callback::from(move |e: Event| {
            commit.emit(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    html! {
        <input id={props.id.clone()} ref={field} {onchange} placeholder={props.placeholder.clone()} />
    }
}
