//! Identifiers are UUIDv7: time-ordered, so primary keys double as a creation-order
//! keyset for pagination.

use uuid::Uuid;

/// A fresh time-ordered id.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Namespace for ids derived from the surrounding platform's non-UUID identifiers.
const PLATFORM_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_5a0e_1d2b_4c7e_9a10_3b5e_7c9d_0f42);

/// Maps an identifier issued by the surrounding platform (a JWT `sub` or `orgId`) to
/// our id. A UUID is taken as is; anything else gets a stable UUIDv5, so the same
/// platform id always names the same local row.
pub fn external_id(raw: &str) -> Uuid {
    match Uuid::parse_str(raw.trim()) {
        Ok(id) => id,
        Err(_) => Uuid::new_v5(&PLATFORM_NAMESPACE, raw.trim().as_bytes()),
    }
}

/// Namespace of the ids of contacts known only by the e-mail address staff typed.
const CONTACT_NAMESPACE: Uuid = Uuid::from_u128(0x2d4b_81c3_77e0_4f1a_b6d2_95c8_03a7_e1f6);

/// The id of an attendee whom staff recorded by e-mail address alone: stable for the
/// address, and in a namespace of its own, so no platform id can name it.
pub fn contact_id(email: &str) -> Uuid {
    Uuid::new_v5(&CONTACT_NAMESPACE, email.trim().to_lowercase().as_bytes())
}

/// The placeholder address of a contact row: under the reserved `.invalid` domain,
/// so it is unique, never receives mail and names no account.
pub fn placeholder_email(id: Uuid) -> String {
    format!("attendee-{}@attendees.invalid", id.simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_kept_and_other_ids_are_stable() {
        let u = new_id();
        assert_eq!(external_id(&u.to_string()), u);
        assert_eq!(external_id("user_42"), external_id("user_42"));
        assert_ne!(external_id("user_42"), external_id("user_43"));
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let a = new_id();
        let b = new_id();
        assert!(a < b);
    }
}
