//! Publishing adopted motions, and the national tally of branches' statements on a matter.

use super::*;
use charter_model::MotionId;

impl App {
    /// Publishes an adopted motion as the body's public statement.
    pub async fn publish_motion(&self, actor: &Actor, motion_id: MotionId) -> Result<(), AppError> {
        let motion = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(motion.meeting).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers of the meeting's unit publish its decisions",
            )
            .await?;
        let event = self.event(
            event_actor(actor, Some(&office)),
            "motion.published",
            format!("meeting:{}", m.id),
            json!({ "motion": motion_id }),
            &motion.title,
        );
        self.store.publish_motion(motion_id, &event).await?;
        if let Some(matter) = &motion.matter {
            self.requisition_by_branches(&motion, &m, matter).await?;
        }
        if let Some(kind) = &motion.requires {
            self.requisition_called_for(&motion, &m, kind).await?;
        }
        Ok(())
    }

    /// Published motions of one unit's meetings: its public statements, for anyone.
    pub async fn statements_of(&self, unit: UnitId) -> Result<Vec<PublishedMotion>, AppError> {
        Ok(self
            .store
            .published_motions(None)
            .await?
            .into_iter()
            .filter(|p| p.unit == Some(unit))
            .collect())
    }

    /// Branches' published motions on a national matter, added up nationally and by region.
    /// A branch counts once, by its latest published motion on the matter.
    pub async fn matter_tally(&self, matter: &str) -> Result<MatterTally, AppError> {
        let key = Key::parse(matter).map_err(|e| AppError::invalid("matter", e))?;
        let motions = self.store.published_motions(Some(key.as_str())).await?;
        let units = self.store.units().await?;
        let tree = self.tree().await?;
        let name = |u: UnitId| {
            units
                .iter()
                .find(|x| x.id == u)
                .map(|x| x.name.clone())
                .unwrap_or_default()
        };
        let branches = units.iter().filter(|u| u.kind == UnitKind::Branch).count();
        // Newest first: the first seen for a branch is its current position.
        let mut position: BTreeMap<UnitId, bool> = BTreeMap::new();
        for p in &motions {
            if let Some(u) = p.unit
                && tree.kind(u) == Some(UnitKind::Branch)
            {
                position
                    .entry(u)
                    .or_insert(p.motion.position.as_deref() == Some("oppose"));
            }
        }
        let mut regions: BTreeMap<Option<UnitId>, (usize, usize)> = BTreeMap::new();
        for (b, oppose) in &position {
            let r = tree
                .parent(*b)
                .filter(|p| tree.kind(*p) == Some(UnitKind::Region));
            let e = regions.entry(r).or_default();
            if *oppose {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        let mut by_region: Vec<(Option<UnitId>, String, usize, usize)> = regions
            .into_iter()
            .map(|(r, (o, s))| (r, r.map(name).unwrap_or_else(|| "No region".into()), o, s))
            .collect();
        by_region.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(MatterTally {
            matter: key.as_str().to_string(),
            branches,
            oppose: position.values().filter(|o| **o).count(),
            support: position.values().filter(|o| !**o).count(),
            by_region,
            motions,
        })
    }
}
