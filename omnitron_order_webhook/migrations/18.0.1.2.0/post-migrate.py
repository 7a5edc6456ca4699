"""Orders and events received before 18.0.1.2.0 name their channel by its id
only: create the channels they name (one per channel id and company, with the
name the latest order carried) and link them. A delivery refused before its
body was read has channel id 0 (an unset Integer): it names no channel."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        INSERT INTO omnitron_channel (channel_pk, company_id, name, channel_type, active,
                                      create_uid, write_uid, create_date, write_date)
        SELECT DISTINCT ON (so.omnitron_channel_pk, so.company_id)
               so.omnitron_channel_pk, so.company_id,
               COALESCE(so.omnitron_channel_name, so.omnitron_channel_pk::text), so.omnitron_channel_type, TRUE,
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM sale_order so
         WHERE so.omnitron_channel_pk > 0 AND so.omnitron_number IS NOT NULL
         ORDER BY so.omnitron_channel_pk, so.company_id, so.id DESC
        ON CONFLICT (channel_pk, company_id) DO NOTHING
        """
    )
    cr.execute(
        """
        INSERT INTO omnitron_channel (channel_pk, company_id, name, active,
                                      create_uid, write_uid, create_date, write_date)
        SELECT DISTINCT ev.channel_pk, ev.company_id, ev.channel_pk::text, TRUE,
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM omnitron_webhook_event ev
         WHERE ev.channel_pk > 0 AND ev.company_id IS NOT NULL
        ON CONFLICT (channel_pk, company_id) DO NOTHING
        """
    )
    cr.execute(
        """
        UPDATE sale_order so SET omnitron_channel_id = ch.id
          FROM omnitron_channel ch
         WHERE ch.channel_pk = so.omnitron_channel_pk AND ch.company_id = so.company_id
           AND so.omnitron_channel_id IS NULL
        """
    )
    cr.execute(
        """
        UPDATE omnitron_webhook_event ev SET channel_id = ch.id
          FROM omnitron_channel ch
         WHERE ch.channel_pk = ev.channel_pk AND ch.company_id = ev.company_id AND ev.channel_id IS NULL
        """
    )
