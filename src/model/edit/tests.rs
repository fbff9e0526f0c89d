//! Every edit round-trips through its inverse; invalid edits change nothing.

use super::*;
use crate::model::project::{DocSource, Document};
use crate::model::schema::Schema;

fn project() -> Project {
    let text = "“Ukraine must have a say,” Harris 😀 insisted at the summit.";
    let doc = Document::new(
        "a".into(),
        DocSource::TextFile("a.txt".into()),
        crate::model::TextHash::of(""),
        text.into(),
    );
    Project::new("t".into(), Schema::default(), vec![doc])
}

fn span(p: &mut Project, word: &str, label: &str) -> Span {
    let start = p.documents[0].text.find(word).unwrap();
    p.make_span(DocId(0), start, start + word.len(), label)
        .unwrap()
}

fn add(p: &mut Project, word: &str, label: &str) -> Edit {
    let span = span(p, word, label);
    Edit::AddSpan {
        doc: DocId(0),
        span,
    }
}

/// Adds a span and returns its id.
fn added(p: &mut Project, word: &str, label: &str) -> SpanId {
    let e = add(p, word, label);
    let Edit::AddSpan { span, .. } = &e else {
        unreachable!()
    };
    let id = span.id;
    p.apply(e).unwrap();
    id
}

/// Everything an edit can change, to compare states.
fn state(p: &Project) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        p.schema,
        p.documents[0].spans(),
        p.documents[0].relations(),
        p.documents[0].status
    )
}

/// Applies `edit`, then its inverse, and checks we are back where we started, then
/// re-applies the inverse's inverse and checks we got the edited state again.
fn round_trip(p: &mut Project, edit: Edit) {
    let before = state(p);
    let inverse = p.apply(edit).unwrap();
    let after = state(p);
    assert_ne!(before, after, "the edit changed something");
    let redo = p.apply(inverse).unwrap();
    assert_eq!(state(p), before);
    p.apply(redo).unwrap();
    assert_eq!(state(p), after);
}

fn holds(p: &mut Project, from: SpanId, to: SpanId) -> Relation {
    Relation::new(p.allocate_span_id(), "holds", from, to)
}

#[test]
fn every_edit_round_trips_through_its_inverse() {
    let mut p = project();
    let doc = DocId(0);
    let e = add(&mut p, "Harris", "speaker");
    round_trip(&mut p, e);
    let harris = p.documents[0].spans()[0].id;
    let stance = added(&mut p, "Ukraine must have a say", "stance");
    round_trip(
        &mut p,
        Edit::SetAttr {
            doc,
            id: stance,
            name: "polarity".into(),
            value: Some("against".into()),
        },
    );
    round_trip(
        &mut p,
        Edit::SetAttr {
            doc,
            id: stance,
            name: "target".into(),
            value: Some("Trump’s plan for Ukraine".into()),
        },
    );
    round_trip(
        &mut p,
        Edit::SetAttr {
            doc,
            id: stance,
            name: "polarity".into(),
            value: None,
        },
    );
    round_trip(
        &mut p,
        Edit::SetNote {
            doc,
            id: harris,
            note: Some("the Vice President".into()),
        },
    );
    let r = holds(&mut p, harris, stance);
    round_trip(
        &mut p,
        Edit::AddRelation {
            doc,
            relation: r.clone(),
        },
    );
    round_trip(&mut p, Edit::RemoveRelation { doc, id: r.id });
    round_trip(
        &mut p,
        Edit::Resize {
            doc,
            id: stance,
            start: 0,
            end: 30,
        },
    );
    let relabel = p.relabel_edit(doc, harris, "event").unwrap();
    round_trip(&mut p, relabel);
    round_trip(&mut p, Edit::RemoveSpan { doc, id: harris });
    round_trip(
        &mut p,
        Edit::SetStatus {
            doc,
            status: Status::Done,
        },
    );
    let a = add(&mut p, "summit", "event");
    let b = add(&mut p, "😀", "event");
    round_trip(&mut p, Edit::Batch(vec![a, b]));
    round_trip(
        &mut p,
        Edit::RenameLabel {
            from: "stance".into(),
            to: "position".into(),
        },
    );
    round_trip(
        &mut p,
        Edit::RenameAttribute {
            label: "position".into(),
            from: "target".into(),
            to: "about".into(),
        },
    );
    round_trip(
        &mut p,
        Edit::RenameRelationType {
            from: "holds".into(),
            to: "takes".into(),
        },
    );
    let mut schema = p.schema.clone();
    schema.labels[0].color = crate::model::Rgb([1, 2, 3]);
    round_trip(&mut p, Edit::SetSchema(Box::new(schema)));
}

#[test]
fn deleting_a_span_deletes_its_relations_and_undo_brings_both_back() {
    let mut p = project();
    let doc = DocId(0);
    let harris = added(&mut p, "Harris", "speaker");
    let stance = added(&mut p, "Ukraine must have a say", "stance");
    let r = holds(&mut p, harris, stance);
    p.apply(Edit::AddRelation {
        doc,
        relation: r.clone(),
    })
    .unwrap();
    let undo = p.apply(Edit::RemoveSpan { doc, id: stance }).unwrap();
    assert!(p.documents[0].relations().is_empty());
    p.apply(undo).unwrap();
    assert_eq!(p.documents[0].relations(), &[r]);
    assert!(p.documents[0].span_by_id(stance).is_some());
}

#[test]
fn renames_reach_every_span_relation_and_relation_type() {
    let mut p = project();
    let doc = DocId(0);
    let harris = added(&mut p, "Harris", "speaker");
    let stance = added(&mut p, "Ukraine must have a say", "stance");
    p.apply(Edit::SetAttr {
        doc,
        id: stance,
        name: "target".into(),
        value: Some("Ukraine".into()),
    })
    .unwrap();
    let r = holds(&mut p, harris, stance);
    p.apply(Edit::AddRelation { doc, relation: r }).unwrap();
    p.apply(Edit::RenameLabel {
        from: "stance".into(),
        to: "position".into(),
    })
    .unwrap();
    p.apply(Edit::RenameAttribute {
        label: "position".into(),
        from: "target".into(),
        to: "object".into(),
    })
    .unwrap();
    p.apply(Edit::RenameRelationType {
        from: "holds".into(),
        to: "takes".into(),
    })
    .unwrap();
    let s = p.documents[0].span_by_id(stance).unwrap();
    assert_eq!(s.label, "position");
    assert_eq!(s.attrs.get("object"), Some("Ukraine"));
    assert_eq!(p.documents[0].relations()[0].kind, "takes");
    assert_eq!(p.schema.relation("takes").unwrap().to, "position");
    assert!(matches!(
        p.apply(Edit::RenameLabel {
            from: "event".into(),
            to: "speaker".into()
        }),
        Err(EditError::NameTaken(_))
    ));
}

#[test]
fn invalid_edits_change_nothing() {
    let mut p = project();
    let doc = DocId(0);
    let mut bad = add(&mut p, "Harris", "speaker");
    if let Edit::AddSpan { span, .. } = &mut bad {
        span.start += 1;
    }
    assert!(matches!(p.apply(bad), Err(EditError::TextMismatch { .. })));
    let emoji = p.documents[0].text.find('😀').unwrap();
    let mut split = add(&mut p, "Harris", "speaker");
    if let Edit::AddSpan { span, .. } = &mut split {
        span.start = emoji + 1;
        span.end = emoji + 3;
    }
    assert!(matches!(p.apply(split), Err(EditError::BadRange { .. })));
    let unknown = add(&mut p, "Harris", "villain");
    assert!(matches!(p.apply(unknown), Err(EditError::UnknownLabel(_))));
    // A batch whose second edit fails leaves the first one unapplied.
    let ok = add(&mut p, "Harris", "speaker");
    let dup = ok.clone();
    assert!(matches!(
        p.apply(Edit::Batch(vec![ok, dup])),
        Err(EditError::DuplicateId(_))
    ));
    assert!(p.documents[0].spans().is_empty());
    // Attribute values are checked against the schema.
    let stance = added(&mut p, "Ukraine must have a say", "stance");
    let wrong_value = Edit::SetAttr {
        doc,
        id: stance,
        name: "polarity".into(),
        value: Some("furious".into()),
    };
    assert!(matches!(
        p.apply(wrong_value),
        Err(EditError::BadValue { .. })
    ));
    let wrong_attr = Edit::SetAttr {
        doc,
        id: stance,
        name: "entity".into(),
        value: Some("x".into()),
    };
    assert!(matches!(
        p.apply(wrong_attr),
        Err(EditError::UnknownAttribute { .. })
    ));
    // Relations must go the schema's way: stance —holds→ speaker is not a thing.
    let harris = added(&mut p, "Harris", "speaker");
    let before_rel = state(&p);
    let backwards = holds(&mut p, stance, harris);
    assert!(matches!(
        p.apply(Edit::AddRelation {
            doc,
            relation: backwards
        }),
        Err(EditError::RelationEnds { .. })
    ));
    assert_eq!(state(&p), before_rel);
    // A schema that drops a label still in use is refused.
    let mut schema = p.schema.clone();
    schema.labels.retain(|l| l.name != "stance");
    schema
        .relations
        .retain(|r| r.from != "stance" && r.to != "stance");
    assert!(matches!(
        p.apply(Edit::SetSchema(Box::new(schema))),
        Err(EditError::SchemaMismatch(_))
    ));
}

#[test]
fn relabelling_drops_attributes_and_relations_that_no_longer_fit() {
    let mut p = project();
    let doc = DocId(0);
    let harris = added(&mut p, "Harris", "speaker");
    let stance = added(&mut p, "Ukraine must have a say", "stance");
    p.apply(Edit::SetAttr {
        doc,
        id: stance,
        name: "polarity".into(),
        value: Some("favor".into()),
    })
    .unwrap();
    let r = holds(&mut p, harris, stance);
    p.apply(Edit::AddRelation { doc, relation: r }).unwrap();
    let e = p.relabel_edit(doc, stance, "event").unwrap();
    let undo = p.apply(e).unwrap();
    let s = p.documents[0].span_by_id(stance).unwrap();
    assert_eq!(s.label, "event");
    assert!(s.attrs.is_empty(), "polarity is not an event attribute");
    assert!(
        p.documents[0].relations().is_empty(),
        "speaker —holds→ event does not exist"
    );
    p.apply(undo).unwrap();
    assert_eq!(p.documents[0].relations().len(), 1);
    assert_eq!(
        p.documents[0]
            .span_by_id(stance)
            .unwrap()
            .attrs
            .get("polarity"),
        Some("favor")
    );
}

#[test]
fn nested_and_overlapping_spans_coexist() {
    let mut p = project();
    let outer = add(&mut p, "“Ukraine must have a say,”", "stance");
    let inner = add(&mut p, "Ukraine", "event");
    p.apply(outer).unwrap();
    p.apply(inner).unwrap();
    assert_eq!(p.documents[0].spans().len(), 2);
    assert_eq!(p.documents[0].spans()[0].label, "stance");
}

#[test]
fn fragments_are_set_undone_checked_and_follow_a_resize() {
    let mut p = project();
    let doc = DocId(0);
    let text = p.documents[0].text.clone();
    let at = |w: &str| {
        let s = text.find(w).unwrap();
        s..s + w.len()
    };
    let stance = added(&mut p, "Ukraine must have a say", "stance");
    let pieces = vec![at("Ukraine must have a say"), at("insisted")];
    round_trip(
        &mut p,
        Edit::SetFragments {
            doc,
            id: stance,
            pieces: pieces.clone(),
        },
    );
    let s = p.documents[0].span_by_id(stance).unwrap();
    assert_eq!(s.pieces().collect::<Vec<_>>(), pieces);
    assert_eq!(s.fragments[1].text, "insisted");
    assert_eq!(
        s.text,
        &text[pieces[0].start..pieces[1].end],
        "the extent, gap included"
    );
    assert_eq!(s.covered(), "Ukraine must have a say … insisted");
    assert!(s.covers(at("insisted").start, at("insisted").end));
    assert!(
        !s.covers(at("Harris").start, at("Harris").end),
        "not the gap"
    );
    // Overlapping, touching, unordered or empty pieces are refused, and nothing changes.
    let before = state(&p);
    for bad in [
        vec![at("Ukraine"), at("Ukraine must")],
        vec![at("insisted"), at("Ukraine")],
        vec![],
        std::iter::once(at("Harris").start..at("Harris").start).collect(),
    ] {
        assert!(
            p.apply(Edit::SetFragments {
                doc,
                id: stance,
                pieces: bad
            })
            .is_err()
        );
        assert_eq!(state(&p), before);
    }
    // Moving the outer end moves the last piece's end.
    let end = at("insisted at the summit").end;
    round_trip(
        &mut p,
        Edit::Resize {
            doc,
            id: stance,
            start: pieces[0].start,
            end,
        },
    );
    let s = p.documents[0].span_by_id(stance).unwrap();
    assert_eq!(s.fragments[1].text, "insisted at the summit");
    // Deleting it and undoing brings the pieces back.
    round_trip(&mut p, Edit::RemoveSpan { doc, id: stance });
    // An added span with fragments that do not match the text is refused.
    let mut bad = span(&mut p, "Harris", "speaker");
    bad.fragments = vec![
        crate::model::Fragment {
            start: bad.start,
            end: bad.start + 2,
            text: "Xa".into(),
        },
        crate::model::Fragment {
            start: bad.start + 3,
            end: bad.end,
            text: "ris".into(),
        },
    ];
    assert!(p.apply(Edit::AddSpan { doc, span: bad }).is_err());
}
