-- Symbol changes without splitting history.
--
-- rename_security(old, new, on_date): the security that held `old` the day before `on_date` holds
-- `new` from `on_date` on. If data already arrived under `new` as a separate security (the file
-- linking the two came later), that security is merged into the renamed one first.

-- Holdings positions follow their snapshot when a fund is merged into another security.
ALTER TABLE holdings_position
    DROP CONSTRAINT holdings_position_fund_id_as_of_fkey,
    ADD FOREIGN KEY (fund_id, as_of) REFERENCES holdings_snapshot (fund_id, as_of)
        ON UPDATE CASCADE ON DELETE CASCADE;

-- Moves every row of security `from_id` to `into_id` and deletes `from_id`. Where both have a row
-- for the same key, the surviving security's row is kept.
CREATE FUNCTION merge_security(from_id bigint, into_id bigint) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM share_count f USING share_count i
    WHERE f.security_id = from_id AND i.security_id = into_id AND i.as_of = f.as_of;
    UPDATE share_count SET security_id = into_id WHERE security_id = from_id;

    DELETE FROM short_interest f USING short_interest i
    WHERE f.security_id = from_id AND i.security_id = into_id
      AND i.settlement_date = f.settlement_date AND i.known_from = f.known_from;
    UPDATE short_interest SET security_id = into_id WHERE security_id = from_id;

    DELETE FROM short_volume_month f USING short_volume_month i
    WHERE f.security_id = from_id AND i.security_id = into_id
      AND i.facility = f.facility AND i.month = f.month;
    UPDATE short_volume_month SET security_id = into_id WHERE security_id = from_id;

    DELETE FROM price_daily f USING price_daily i
    WHERE f.security_id = from_id AND i.security_id = into_id AND i.date = f.date;
    UPDATE price_daily SET security_id = into_id WHERE security_id = from_id;

    DELETE FROM fund_flow f USING fund_flow i
    WHERE f.fund_id = from_id AND i.fund_id = into_id AND i.date = f.date;
    UPDATE fund_flow SET fund_id = into_id WHERE fund_id = from_id;

    DELETE FROM index_membership f USING index_membership i
    WHERE f.security_id = from_id AND i.security_id = into_id AND i.index_code = f.index_code
      AND i.source = f.source AND i.valid_from = f.valid_from;
    UPDATE index_membership SET security_id = into_id WHERE security_id = from_id;

    DELETE FROM etf_index f USING etf_index i
    WHERE f.etf_id = from_id AND i.etf_id = into_id AND i.index_code = f.index_code;
    UPDATE etf_index SET etf_id = into_id WHERE etf_id = from_id;

    DELETE FROM holdings_position f USING holdings_position i
    WHERE f.security_id = from_id AND i.security_id = into_id
      AND i.fund_id = f.fund_id AND i.as_of = f.as_of;
    UPDATE holdings_position SET security_id = into_id WHERE security_id = from_id;

    DELETE FROM holdings_snapshot f USING holdings_snapshot i
    WHERE f.fund_id = from_id AND i.fund_id = into_id AND i.as_of = f.as_of;
    UPDATE holdings_snapshot SET fund_id = into_id WHERE fund_id = from_id;

    DELETE FROM security WHERE id = from_id;
END;
$$;

CREATE FUNCTION rename_security(old_symbol text, new_symbol text, on_date date) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    source_id bigint;
    target_id bigint;
BEGIN
    -- The security holding the old symbol on the day before the change.
    SELECT security_id INTO source_id
    FROM security_symbol
    WHERE symbol = old_symbol AND valid_from < on_date AND on_date <= valid_to
    ORDER BY valid_to DESC
    LIMIT 1;
    IF source_id IS NULL THEN
        RETURN NULL;  -- nothing known under the old symbol: the new one starts its own history
    END IF;

    SELECT id INTO target_id FROM security WHERE symbol = new_symbol;
    IF target_id = source_id THEN
        RETURN source_id;  -- already recorded
    END IF;
    IF target_id IS NOT NULL THEN
        PERFORM merge_security(target_id, source_id);
    END IF;

    UPDATE security_symbol
    SET valid_to = on_date
    WHERE security_id = source_id AND symbol = old_symbol
      AND valid_from < on_date AND on_date <= valid_to;

    INSERT INTO security_symbol (security_id, symbol, valid_from)
    VALUES (source_id, new_symbol, on_date)
    ON CONFLICT (symbol, valid_from) DO UPDATE
    SET security_id = excluded.security_id, valid_to = 'infinity';

    -- The new symbol is the current one unless the security changed symbol again later.
    UPDATE security
    SET symbol = new_symbol, updated_at = now()
    WHERE id = source_id
      AND NOT EXISTS (SELECT 1 FROM security_symbol
                      WHERE security_id = source_id AND valid_from > on_date);
    RETURN source_id;
END;
$$;
